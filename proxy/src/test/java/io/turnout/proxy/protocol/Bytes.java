package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** Builds protocol bytes for codec tests and feeds them to channels one byte at a time. */
final class Bytes {
  private Bytes() {}

  static ByteBuf startupMessage(int version, String... keyValues) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeInt(0).writeInt(version);
    for (String s : keyValues) {
      buf.writeCharSequence(s, StandardCharsets.UTF_8);
      buf.writeByte(0);
    }
    buf.writeByte(0);
    buf.setInt(0, buf.writerIndex());
    return buf;
  }

  static ByteBuf untyped(int code, int... ints) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeInt(8 + 4 * ints.length).writeInt(code);
    for (int i : ints) {
      buf.writeInt(i);
    }
    return buf;
  }

  static ByteBuf typed(char type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(type).writeInt(4 + b.length).writeBytes(b);
    return buf;
  }

  static ByteBuf concat(ByteBuf... parts) {
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf p : parts) {
      all.writeBytes(p);
      p.release();
    }
    return all;
  }

  /** Writes {@code data} into the channel one byte per read, then releases it. */
  static void feedByteByByte(EmbeddedChannel channel, ByteBuf data) {
    try {
      while (data.isReadable()) {
        channel.writeInbound(data.readRetainedSlice(1));
      }
    } finally {
      data.release();
    }
  }
}
