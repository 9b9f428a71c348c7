package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The head of a Bind message, the only part Turnout reads: portal and statement name. The
 * parameters behind them are never decoded; re-encoding for another statement writes a new head and
 * keeps the rest as a slice of the client's bytes.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Bind</a>
 */
public record BindMessage(String statement, int statementOffset, int restOffset) {
  /** Decodes the head of {@code payload} (a Bind frame's payload); null when it is malformed. */
  public static BindMessage decode(ByteBuf payload) {
    int from = payload.readerIndex();
    int to = payload.writerIndex();
    int portalEnd = payload.indexOf(from, to, (byte) 0);
    if (portalEnd < 0) {
      return null;
    }
    int statementEnd = payload.indexOf(portalEnd + 1, to, (byte) 0);
    if (statementEnd < 0) {
      return null;
    }
    return new BindMessage(
        payload.toString(portalEnd + 1, statementEnd - portalEnd - 1, StandardCharsets.UTF_8),
        portalEnd + 1 - from,
        statementEnd + 1 - from);
  }

  /** True for a Bind of the unnamed statement, read without decoding anything. */
  public static boolean ofUnnamedStatement(ByteBuf payload) {
    int portalEnd = payload.indexOf(payload.readerIndex(), payload.writerIndex(), (byte) 0);
    return portalEnd < 0
        || portalEnd + 1 >= payload.writerIndex()
        || payload.getByte(portalEnd + 1) == 0;
  }

  /**
   * The same Bind of {@code statementName} instead: a new head (type, length, portal, name) before
   * the client's parameter bytes, which are shared, not copied. {@code frame} is the whole Bind
   * frame; its reference is taken over.
   */
  public ByteBuf withStatement(ByteBuf frame, String statementName, ByteBufAllocator alloc) {
    int payloadAt = frame.readerIndex() + Frame.HEADER_LENGTH;
    ByteBuf head = alloc.buffer(Frame.HEADER_LENGTH + statementOffset + statementName.length() + 1);
    head.writeByte(FrontendType.BIND).writeInt(0);
    head.writeBytes(frame, payloadAt, statementOffset);
    head.writeCharSequence(statementName, StandardCharsets.UTF_8);
    head.writeByte(0);
    ByteBuf rest =
        frame.retainedSlice(payloadAt + restOffset, frame.writerIndex() - payloadAt - restOffset);
    frame.release();
    head.setInt(1, head.readableBytes() - 1 + rest.readableBytes());
    CompositeByteBuf out = alloc.compositeBuffer(2);
    out.addComponents(true, head, rest);
    return out;
  }
}
