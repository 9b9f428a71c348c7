package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * BackendKeyData ('K'): the process id and secret a client needs to cancel a query. Protocol 3.0
 * has a 4-byte secret; 3.2 (PostgreSQL 18) lets the server choose up to 256 bytes, so the secret is
 * kept whole, never cut to an int. The proxy keeps the backend's real process id (so {@code
 * pg_backend_pid()} and a notification's sender agree with it) and gives the client a secret of its
 * own, of the same length, so that a CancelRequest reaches the proxy, which maps it back.
 *
 * @see <a
 *     href="https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS">Canceling
 *     requests</a>
 */
public record BackendKeyData(int processId, byte[] secret) {
  /** Protocol 3.2's limit on the secret's length. */
  public static final int MAX_SECRET_LENGTH = 256;

  public BackendKeyData {
    if (secret.length < 4 || secret.length > MAX_SECRET_LENGTH) {
      throw new ProtocolViolation(
          "cancel key of " + secret.length + " bytes (4 to " + MAX_SECRET_LENGTH + " allowed)");
    }
    secret = secret.clone();
  }

  /** A protocol 3.0 key: a 4-byte secret. */
  public BackendKeyData(int processId, int secret) {
    this(
        processId,
        new byte[] {
          (byte) (secret >>> 24), (byte) (secret >>> 16), (byte) (secret >>> 8), (byte) secret
        });
  }

  /** Decodes from a whole frame (type byte included). */
  public static BackendKeyData decode(Frame frame) {
    ByteBuf payload = frame.payload();
    if (payload.readableBytes() < 8) {
      throw new ProtocolViolation(
          "BackendKeyData too short: " + payload.readableBytes() + " bytes");
    }
    return read(payload.duplicate());
  }

  /** Reads a process id and a secret that fills the rest of {@code buf}. */
  static BackendKeyData read(ByteBuf buf) {
    int pid = buf.readInt();
    byte[] secret = new byte[buf.readableBytes()];
    buf.readBytes(secret);
    return new BackendKeyData(pid, secret);
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** Writes the process id and the secret (the body of BackendKeyData and of CancelRequest). */
  void writeTo(ByteBuf buf) {
    buf.writeInt(processId).writeBytes(secret);
  }

  public ByteBuf encode(ByteBufAllocator alloc) {
    int length = 4 + 4 + secret.length;
    ByteBuf buf = alloc.buffer(1 + length);
    buf.writeByte(BackendType.BACKEND_KEY_DATA).writeInt(length);
    writeTo(buf);
    return buf;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendKeyData k
        && k.processId == processId
        && Arrays.equals(k.secret, secret);
  }

  @Override
  public int hashCode() {
    return 31 * processId + Arrays.hashCode(secret);
  }

  /** Shows the process id only: the secret is what authorises a cancel. */
  @Override
  public String toString() {
    return "BackendKeyData[pid=" + processId + ", " + secret.length + "-byte secret]";
  }
}
