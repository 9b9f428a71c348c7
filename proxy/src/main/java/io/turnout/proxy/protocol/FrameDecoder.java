package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Splits a stream into typed {@link Frame}s (type byte, int32 length including itself, payload).
 * Each frame is a retained slice of the received bytes: no copy, no decode.
 *
 * <p>For client streams it enforces the configured maximum message size and refuses unknown type
 * bytes, so a garbage or hostile frame costs nothing but an ErrorResponse.
 */
public final class FrameDecoder extends StrictDecoder {
  private final int maxMessageSize;
  private final boolean frontend;

  private FrameDecoder(int maxMessageSize, boolean frontend) {
    this.maxMessageSize = maxMessageSize;
    this.frontend = frontend;
  }

  /** Decoder for messages from a client: checks type bytes and the size limit. */
  public static FrameDecoder forFrontend(int maxMessageSize) {
    return new FrameDecoder(maxMessageSize, true);
  }

  /** Decoder for messages from PostgreSQL, which the proxy trusts to be well-formed. */
  public static FrameDecoder forBackend() {
    return new FrameDecoder(Integer.MAX_VALUE, false);
  }

  @Override
  protected void decodeValid(ByteBuf in, List<Object> out) {
    while (in.readableBytes() >= 1) {
      int start = in.readerIndex();
      byte type = in.getByte(start);
      if (frontend && !FrontendType.isKnown(type)) {
        throw new ProtocolViolation("invalid frontend message type " + (type & 0xFF));
      }
      if (in.readableBytes() < Frame.HEADER_LENGTH) {
        return;
      }
      int length = in.getInt(start + 1);
      if (length < 4) {
        throw new ProtocolViolation("invalid message length " + length);
      }
      if (length > maxMessageSize - 1) {
        throw new ProtocolViolation(
            SqlState.PROGRAM_LIMIT_EXCEEDED,
            "message of "
                + length
                + " bytes exceeds max_message_size of "
                + maxMessageSize
                + " bytes");
      }
      int total = length + 1;
      if (in.readableBytes() < total) {
        return;
      }
      out.add(new Frame(type, in.retainedSlice(start, total)));
      in.skipBytes(total);
    }
  }
}
