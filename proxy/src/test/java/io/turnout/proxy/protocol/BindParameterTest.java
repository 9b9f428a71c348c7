package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BindParameterTest {
  /** A Bind payload of statement "s" with {@code formats} and {@code values} (null: NULL). */
  private static ByteBuf bind(short[] formats, byte[]... values) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(0).writeBytes("s".getBytes(StandardCharsets.UTF_8)).writeByte(0);
    b.writeShort(formats.length);
    for (short f : formats) {
      b.writeShort(f);
    }
    b.writeShort(values.length);
    for (byte[] v : values) {
      if (v == null) {
        b.writeInt(-1);
      } else {
        b.writeInt(v.length).writeBytes(v);
      }
    }
    return b.writeShort(0);
  }

  private static String text(ByteBuf payload, int n, int type) {
    return BindParameter.text(payload, BindMessage.decode(payload).restOffset(), n, type);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void textValues_areTheirText_uuidInLowerCase() {
    ByteBuf p =
        bind(new short[0], utf8("x"), utf8("42"), utf8("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
    assertThat(text(p, 2, BindParameter.INT8)).isEqualTo("42");
    assertThat(text(p, 3, BindParameter.UUID_OID))
        .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  }

  @Test
  void binaryValues_areDecodedByType_intsByTheirLength() {
    UUID u = UUID.randomUUID();
    byte[] uuid =
        Unpooled.buffer(16)
            .writeLong(u.getMostSignificantBits())
            .writeLong(u.getLeastSignificantBits())
            .array();
    ByteBuf p =
        bind(
            new short[] {1, 1, 1, 1, 0},
            Unpooled.buffer(8).writeLong(-7_000_000_000L).array(),
            Unpooled.buffer(4).writeInt(42).array(),
            uuid,
            utf8("naïve"),
            utf8("9"));
    assertThat(text(p, 1, BindParameter.INT8)).isEqualTo("-7000000000");
    assertThat(text(p, 2, BindParameter.INT8)).isEqualTo("42");
    assertThat(text(p, 3, BindParameter.UUID_OID)).isEqualTo(u.toString());
    assertThat(text(p, 4, BindParameter.TEXT)).isEqualTo("naïve");
    assertThat(text(p, 5, BindParameter.INT4)).isEqualTo("9");
  }

  @Test
  void oneFormatCode_appliesToEveryParameter() {
    ByteBuf p =
        bind(
            new short[] {1},
            Unpooled.buffer(2).writeShort(5).array(),
            Unpooled.buffer(4).writeInt(6).array());
    assertThat(text(p, 2, BindParameter.INT4)).isEqualTo("6");
  }

  @Test
  void nullMissingUndecodableOrTruncated_isNoValue() {
    ByteBuf p = bind(new short[] {1, 1}, null, new byte[] {1, 2, 3});
    assertThat(text(p, 1, BindParameter.INT8)).isNull();
    assertThat(text(p, 2, BindParameter.INT8)).as("3 bytes are no integer").isNull();
    assertThat(text(p, 2, 1700)).as("numeric in binary is not decoded").isNull();
    assertThat(text(p, 3, BindParameter.INT8)).as("no third parameter").isNull();
    ByteBuf truncated = bind(new short[0], utf8("12345")).capacity(14); // cut inside the value
    assertThat(text(truncated, 1, BindParameter.TEXT)).isNull();
  }

  @Test
  void declaredType_readsTheParsesTypeList() {
    byte[] types = {0, 2, 0, 0, 0, 0, 0, 0, 0, 20};
    assertThat(BindParameter.declaredType(types, 1)).isZero();
    assertThat(BindParameter.declaredType(types, 2)).isEqualTo(20);
    assertThat(BindParameter.declaredType(types, 3)).isZero();
    assertThat(BindParameter.declaredType(new byte[] {0, 0}, 1)).isZero();
  }
}
