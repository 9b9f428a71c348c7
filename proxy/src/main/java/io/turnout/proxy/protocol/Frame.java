package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One typed protocol message kept as raw bytes: the whole frame (type byte, length, payload), so
 * relaying it is a write of {@link #content()} with no re-encoding. Decoded into a message type
 * only by whoever needs its content (pgdog's idea). Reference-counted: whoever consumes a frame
 * releases it or passes it on to a write.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-overview.html">Messaging
 *     overview</a>
 */
public final class Frame extends DefaultByteBufHolder {
  /** Bytes of the header: type byte plus int32 length. */
  public static final int HEADER_LENGTH = 5;

  private final byte type;

  public Frame(byte type, ByteBuf wholeFrame) {
    super(wholeFrame);
    this.type = type;
  }

  public byte type() {
    return type;
  }

  /** The payload after the header, as a slice that shares this frame's reference count. */
  public ByteBuf payload() {
    ByteBuf c = content();
    return c.slice(c.readerIndex() + HEADER_LENGTH, c.readableBytes() - HEADER_LENGTH);
  }

  @Override
  public Frame replace(ByteBuf content) {
    return new Frame(type, content);
  }

  @Override
  public Frame retain() {
    super.retain();
    return this;
  }

  @Override
  public Frame touch(Object hint) {
    super.touch(hint);
    return this;
  }

  @Override
  public String toString() {
    return "Frame('" + (char) type + "', " + content().readableBytes() + " bytes)";
  }
}
