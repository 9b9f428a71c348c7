package io.turnout.proxy.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL protocol 3.0 client on a plain socket, for what a driver never does: malformed
 * frames, negotiation bytes, reading a huge result slowly, looking at the exact messages.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
final class RawPgConnection implements AutoCloseable {
  static final int SSL_REQUEST_CODE = 80877103;
  static final int GSSENC_REQUEST_CODE = 80877104;
  static final int CANCEL_REQUEST_CODE = 80877102;
  static final int PROTOCOL_3_0 = 196608;

  /** One backend message: its type byte and its body (without type and length). */
  record Message(char type, byte[] body) {
    /** The fields of an ErrorResponse or NoticeResponse, by field code ('C' is the SQLSTATE). */
    Map<Character, String> fields() {
      Map<Character, String> fields = new LinkedHashMap<>();
      int i = 0;
      while (i < body.length && body[i] != 0) {
        char code = (char) body[i++];
        int end = i;
        while (body[end] != 0) {
          end++;
        }
        fields.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
        i = end + 1;
      }
      return fields;
    }

    String sqlState() {
      return fields().get('C');
    }

    /** The Authentication request code of an 'R' message (0 ok, 3 cleartext, 5 md5, 10 SASL). */
    int authCode() {
      return ByteBuffer.wrap(body).getInt();
    }

    /** A CommandComplete tag, without the terminating zero. */
    String tag() {
      return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return type == 'E' || type == 'N'
          ? type + fields().toString()
          : type + "(" + body.length + " bytes)";
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawPgConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    this.out = socket.getOutputStream();
  }

  /** Connects with a 10 s read timeout: a missing answer fails the test instead of hanging it. */
  static RawPgConnection open(InetSocketAddress address) throws IOException {
    return open(address, 0);
  }

  /**
   * As {@link #open(InetSocketAddress)}, with a small receive buffer when {@code receiveBuffer >
   * 0}.
   */
  static RawPgConnection open(InetSocketAddress address, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(
          receiveBuffer); // before connect, so the window is small from the start
    }
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    socket.connect(address, 5_000);
    return new RawPgConnection(socket);
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** An untyped startup packet: int32 length (including itself), int32 code, body. */
  void sendStartupPacket(int code, byte[] body) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length);
    b.putInt(8 + body.length).putInt(code).put(body);
    send(b.array());
  }

  void sendStartupMessage(Map<String, String> parameters) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    parameters.forEach(
        (k, v) -> {
          cstring(body, k);
          cstring(body, v);
        });
    body.write(0);
    sendStartupPacket(PROTOCOL_3_0, body.toByteArray());
  }

  void sendCancelRequest(int processId, int secretKey) throws IOException {
    sendStartupPacket(
        CANCEL_REQUEST_CODE, ByteBuffer.allocate(8).putInt(processId).putInt(secretKey).array());
  }

  /** A typed frame: type byte, int32 length (payload + 4), payload. */
  void sendFrame(char type, byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
    b.put((byte) type).putInt(payload.length + 4).put(payload);
    send(b.array());
  }

  void sendQuery(String sql) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    cstring(body, sql);
    sendFrame('Q', body.toByteArray());
  }

  /** Reads one byte, e.g. the 'S' / 'N' answer to SSLRequest or GSSENCRequest. */
  int readByte() throws IOException {
    return in.read();
  }

  Message read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    int length = in.readInt();
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new Message((char) type, body);
  }

  /**
   * Reads messages until one of {@code type} arrives; fails on an ErrorResponse unless that is
   * asked for.
   */
  Message readUntil(char type) throws IOException {
    while (true) {
      Message m = read();
      if (m.type() == type) {
        return m;
      }
      if (m.type() == 'E') {
        throw new IOException(
            "server answered with an error while waiting for '" + type + "': " + m);
      }
    }
  }

  /**
   * Startup and authentication (trust, cleartext or md5) up to the first ReadyForQuery, returning
   * the BackendKeyData body. SCRAM is not spoken here: tests that need it use pgJDBC.
   */
  byte[] startup(String user, String database, String password) throws IOException {
    sendStartupMessage(
        Map.of("user", user, "database", database, "application_name", "turnout-raw-it"));
    byte[] key = null;
    while (true) {
      Message m = read();
      switch (m.type()) {
        case 'R':
          int code = m.authCode();
          if (code == 3) {
            sendPassword(requirePassword(password, user));
          } else if (code == 5) {
            byte[] salt = new byte[4];
            System.arraycopy(m.body(), 4, salt, 0, 4);
            sendPassword(md5Password(user, requirePassword(password, user), salt));
          } else if (code != 0) {
            throw new IOException(
                "authentication method " + code + " is not supported by RawPgConnection");
          }
          break;
        case 'K':
          key = m.body();
          break;
        case 'E':
          throw new IOException("startup failed: " + m);
        case 'Z':
          return key;
        default:
          break;
      }
    }
  }

  private static String requirePassword(String password, String user) throws IOException {
    if (password == null) {
      throw new IOException("server asks for a password for " + user + " and none is known");
    }
    return password;
  }

  private void sendPassword(String password) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    cstring(body, password);
    sendFrame('p', body.toByteArray());
  }

  static String md5Password(String user, String password, byte[] salt) {
    String inner = md5Hex((password + user).getBytes(StandardCharsets.UTF_8));
    byte[] outer = new byte[32 + 4];
    System.arraycopy(inner.getBytes(StandardCharsets.US_ASCII), 0, outer, 0, 32);
    System.arraycopy(salt, 0, outer, 32, 4);
    return "md5" + md5Hex(outer);
  }

  private static String md5Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when the server closes the connection (EOF or reset) before sending anything more within
   * the read timeout; false when more bytes arrive.
   */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketException e) {
      return true; // connection reset: closed as well
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private static void cstring(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
    out.write(0);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
