package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The untyped packets a client may open a connection with: int32 length, int32 code, body.
 *
 * @see <a
 *     href="https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP">Start-up</a>
 */
public sealed interface StartupPacket
    permits StartupPacket.SSLRequest,
        StartupPacket.GSSENCRequest,
        StartupPacket.CancelRequest,
        StartupPacket.StartupMessage {

  int SSL_REQUEST_CODE = 80877103;
  int GSSENC_REQUEST_CODE = 80877104;
  int CANCEL_REQUEST_CODE = 80877102;

  /** PostgreSQL accepts startup packets up to this size (MAX_STARTUP_PACKET_LENGTH). */
  int MAX_LENGTH = 10_000;

  /** SSLRequest: the client asks for TLS; answered with a single byte 'S' or 'N'. */
  enum SSLRequest implements StartupPacket {
    INSTANCE
  }

  /** GSSENCRequest: the client asks for GSSAPI encryption; Turnout always answers 'N'. */
  enum GSSENCRequest implements StartupPacket {
    INSTANCE
  }

  /** CancelRequest: sent on a new connection, carrying the key from BackendKeyData. */
  record CancelRequest(BackendKeyData key) implements StartupPacket {
    public ByteBuf encode(ByteBufAllocator alloc) {
      int length = 4 + 4 + 4 + key.secret().length;
      ByteBuf buf = alloc.buffer(length).writeInt(length).writeInt(CANCEL_REQUEST_CODE);
      key.writeTo(buf);
      return buf;
    }
  }

  /**
   * StartupMessage: protocol version and parameters ({@code user}, {@code database}, {@code
   * application_name}, {@code options}, …) in the order the client sent them.
   */
  record StartupMessage(int protocolVersion, Map<String, String> parameters)
      implements StartupPacket {
    /**
     * The newest minor version of protocol 3 Turnout understands: 3.2 (PostgreSQL 18, whose
     * BackendKeyData and CancelRequest carry longer keys). 3.1 was never used.
     */
    public static final int NEWEST_MINOR = 2;

    public StartupMessage {
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * What to send the backend: this message, with a minor version newer than Turnout knows lowered
     * to {@link #NEWEST_MINOR}, so the backend never agrees to a protocol Turnout cannot follow.
     * The client then learns the lowered version from a NegotiateProtocolVersion, the backend's or
     * {@link #negotiateProtocolVersion Turnout's own}.
     */
    public StartupMessage forBackend() {
      return minorVersion() > NEWEST_MINOR
          ? new StartupMessage(3 << 16 | NEWEST_MINOR, parameters)
          : this;
    }

    /**
     * The NegotiateProtocolVersion Turnout answers with when it lowered the version and the backend
     * accepted the lowered one without negotiating: newest version supported, no options refused
     * (the backend, which saw every {@code _pq_.} option, refused none or it would have
     * negotiated).
     */
    public static ByteBuf negotiateProtocolVersion(ByteBufAllocator alloc) {
      return alloc
          .buffer(13)
          .writeByte(BackendType.NEGOTIATE_PROTOCOL_VERSION)
          .writeInt(12)
          .writeInt(3 << 16 | NEWEST_MINOR)
          .writeInt(0);
    }

    public int majorVersion() {
      return protocolVersion >>> 16;
    }

    public int minorVersion() {
      return protocolVersion & 0xFFFF;
    }

    public String user() {
      return parameters.get("user");
    }

    /** As PostgreSQL: the database defaults to the user name. */
    public String database() {
      return parameters.getOrDefault("database", user());
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
      ByteBuf buf = alloc.buffer(64);
      buf.writeInt(0).writeInt(protocolVersion);
      parameters.forEach(
          (k, v) -> {
            buf.writeCharSequence(k, StandardCharsets.UTF_8);
            buf.writeByte(0);
            buf.writeCharSequence(v, StandardCharsets.UTF_8);
            buf.writeByte(0);
          });
      buf.writeByte(0);
      buf.setInt(0, buf.writerIndex());
      return buf;
    }
  }

  /**
   * Decodes one whole packet. {@code packet} holds exactly the bytes after the length word: the
   * code and the body.
   */
  static StartupPacket decode(ByteBuf packet) {
    int code = packet.readInt();
    switch (code) {
      case SSL_REQUEST_CODE:
        expectEmpty(packet, "SSLRequest");
        return SSLRequest.INSTANCE;
      case GSSENC_REQUEST_CODE:
        expectEmpty(packet, "GSSENCRequest");
        return GSSENCRequest.INSTANCE;
      case CANCEL_REQUEST_CODE:
        // Protocol 3.2 lets the key be longer than 3.0's 4 bytes (up to 256).
        if (packet.readableBytes() < 8
            || packet.readableBytes() > 4 + BackendKeyData.MAX_SECRET_LENGTH) {
          throw ProtocolViolation.unanswered("invalid length of CancelRequest");
        }
        return new CancelRequest(BackendKeyData.read(packet));
      default:
        return decodeStartupMessage(code, packet);
    }
  }

  private static StartupMessage decodeStartupMessage(int version, ByteBuf body) {
    if (version >>> 16 != 3) {
      throw new ProtocolViolation(
          SqlState.FEATURE_NOT_SUPPORTED,
          "unsupported frontend protocol "
              + (version >>> 16)
              + "."
              + (version & 0xFFFF)
              + ": server supports 3.0 to 3."
              + StartupMessage.NEWEST_MINOR);
    }
    Map<String, String> params = new LinkedHashMap<>();
    while (true) {
      String name = readCString(body);
      if (name.isEmpty()) {
        break;
      }
      String value = readCString(body);
      if (params.put(name, value) != null) {
        throw new ProtocolViolation("duplicate startup parameter \"" + name + "\"");
      }
    }
    if (body.isReadable()) {
      throw new ProtocolViolation(
          "invalid startup packet layout: expected terminator as last byte");
    }
    if (!params.containsKey("user")) {
      throw new ProtocolViolation("28000", "no PostgreSQL user name specified in startup packet");
    }
    return new StartupMessage(version, params);
  }

  private static String readCString(ByteBuf buf) {
    int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
    if (end < 0) {
      throw new ProtocolViolation("invalid startup packet layout: missing string terminator");
    }
    String s = buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.UTF_8);
    buf.readerIndex(end + 1);
    return s;
  }

  private static void expectEmpty(ByteBuf packet, String what) {
    if (packet.isReadable()) {
      throw new ProtocolViolation("invalid length of " + what);
    }
  }
}
