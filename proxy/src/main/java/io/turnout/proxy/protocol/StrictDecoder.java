package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * A decoder that gives up for good on the first {@link ProtocolViolation}: once a stream is known
 * to be broken, nothing after it can be trusted, so what is buffered is dropped and later bytes are
 * discarded while the session sends its ErrorResponse and closes.
 */
abstract class StrictDecoder extends ByteToMessageDecoder {
  private boolean failed;

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      decodeValid(in, out);
    } catch (ProtocolViolation e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /** Decodes what {@code in} holds; throws {@link ProtocolViolation} on invalid input. */
  protected abstract void decodeValid(ByteBuf in, List<Object> out);
}
