package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ParseMessageTest {
  private static ByteBuf payload(String name, String sql, int... types) {
    ByteBuf b = Unpooled.buffer();
    b.writeCharSequence(name, StandardCharsets.UTF_8);
    b.writeByte(0);
    b.writeCharSequence(sql, StandardCharsets.UTF_8);
    b.writeByte(0);
    b.writeShort(types.length);
    for (int t : types) {
      b.writeInt(t);
    }
    return b;
  }

  @Test
  void decode_readsNameSqlAndTypes_andRefusesMalformed() {
    ParseMessage m = ParseMessage.decode(payload("S_1", "select $1, $2", 23, 0));
    assertThat(m.name()).isEqualTo("S_1");
    assertThat(m.sql()).isEqualTo("select $1, $2");
    assertThat(ParseMessage.decode(Unpooled.wrappedBuffer(new byte[] {'S', 0, 'x'}))).isNull();
    ByteBuf shortTypes = payload("", "select 1", 23);
    shortTypes.writerIndex(shortTypes.writerIndex() - 1);
    assertThat(ParseMessage.decode(shortTypes)).isNull();
  }

  @Test
  void withSql_keepsNameAndTypes_andTurnsUnspecifiedIntoTextWhenAsked() {
    ByteBuf in = payload("", "insert into t values ($1, $2)", 0, 20);
    ParseMessage m = ParseMessage.decode(in);
    ByteBuf frame = m.withSql(in, "DO $x$ BEGIN END $x$", true, ByteBufAllocator.DEFAULT);
    assertThat(frame.readByte()).isEqualTo(FrontendType.PARSE);
    assertThat(frame.readInt()).isEqualTo(frame.readableBytes() + 4);
    ParseMessage out = ParseMessage.decode(frame.slice());
    assertThat(out.name()).isEmpty();
    assertThat(out.sql()).isEqualTo("DO $x$ BEGIN END $x$");
    frame.skipBytes(out.typesOffset());
    assertThat(frame.readShort()).isEqualTo((short) 2);
    assertThat(frame.readInt()).isEqualTo(25);
    assertThat(frame.readInt()).isEqualTo(20);
    frame.release();
  }
}
