package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * BackendKeyData ('K'): the process id and secret a client needs to cancel a query. The proxy swaps
 * the backend's key for one of its own so that a CancelRequest reaches the proxy, which maps it
 * back to the right backend.
 *
 * @see <a
 *     href="https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS">Canceling
 *     requests</a>
 */
public record BackendKeyData(int processId, int secretKey) {
  private static final int LENGTH = 12;

  /** Decodes from a whole frame (type byte included). */
  public static BackendKeyData decode(Frame frame) {
    ByteBuf payload = frame.payload();
    if (payload.readableBytes() < 8) {
      throw new ProtocolViolation(
          "BackendKeyData too short: " + payload.readableBytes() + " bytes");
    }
    return new BackendKeyData(
        payload.getInt(payload.readerIndex()), payload.getInt(payload.readerIndex() + 4));
  }

  public ByteBuf encode(ByteBufAllocator alloc) {
    ByteBuf buf = alloc.buffer(1 + LENGTH);
    buf.writeByte(BackendType.BACKEND_KEY_DATA)
        .writeInt(LENGTH)
        .writeInt(processId)
        .writeInt(secretKey);
    return buf;
  }
}
