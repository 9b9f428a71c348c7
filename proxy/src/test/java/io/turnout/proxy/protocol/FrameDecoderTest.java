package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(FrameDecoder.forFrontend(1024));

  @AfterEach
  void noLeftovers() {
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void frames_byteByByte_arriveWholeAndUnchanged() {
    ByteBuf input =
        Bytes.concat(Bytes.typed('Q', "select 1\0"), Bytes.typed('S', ""), Bytes.typed('X', ""));
    ByteBuf expected = input.copy();
    Bytes.feedByteByByte(channel, input);
    ByteBuf seen = Unpooled.buffer();
    char[] types = new char[3];
    for (int i = 0; i < 3; i++) {
      Frame f = channel.readInbound();
      types[i] = (char) f.type();
      seen.writeBytes(f.content());
      f.release();
    }
    assertThat(types).containsExactly('Q', 'S', 'X');
    assertThat(seen).isEqualTo(expected);
    seen.release();
    expected.release();
  }

  @Test
  void payload_isTheBodyAfterTheHeader() {
    channel.writeInbound(Bytes.typed('Q', "select 1\0"));
    Frame f = channel.readInbound();
    assertThat(f.payload().toString(StandardCharsets.UTF_8)).isEqualTo("select 1\0");
    f.release();
  }

  @Test
  void manyFramesInOneBuffer_allDecoded() {
    ByteBuf input = Unpooled.buffer();
    for (int i = 0; i < 100; i++) {
      ByteBuf one = Bytes.typed('d', "row " + i + "\n");
      input.writeBytes(one);
      one.release();
    }
    channel.writeInbound(input);
    for (int i = 0; i < 100; i++) {
      Frame f = channel.readInbound();
      assertThat(f.payload().toString(StandardCharsets.UTF_8)).isEqualTo("row " + i + "\n");
      f.release();
    }
  }

  @Test
  void unknownType_isProtocolViolation() {
    assertViolation(Bytes.typed('z', ""), "invalid frontend message type 122");
  }

  @Test
  void garbage_isProtocolViolation() {
    assertViolation(
        Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, 1, 2, 3}),
        "invalid frontend message type 255");
  }

  @Test
  void lengthBelowFour_isProtocolViolation() {
    ByteBuf bad = Unpooled.buffer().writeByte('Q').writeInt(3);
    assertViolation(bad, "invalid message length 3");
  }

  @Test
  void oversizedFrame_isRefusedBeforeItArrives() {
    ByteBuf header = Unpooled.buffer().writeByte('Q').writeInt(10_000);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .cause()
        .isInstanceOfSatisfying(
            ProtocolViolation.class,
            v -> {
              assertThat(v.sqlState()).isEqualTo(SqlState.PROGRAM_LIMIT_EXCEEDED);
              assertThat(v.getMessage()).contains("exceeds max_message_size of 1024 bytes");
            });
  }

  @Test
  void truncatedFrame_waitsForTheRest() {
    ByteBuf frame = Bytes.typed('Q', "select 1\0");
    channel.writeInbound(frame.readRetainedSlice(7));
    assertThat(channel.<Object>readInbound()).isNull();
    channel.writeInbound(frame);
    Frame f = channel.readInbound();
    assertThat(f.type()).isEqualTo((byte) 'Q');
    f.release();
  }

  @Test
  void backendDecoder_acceptsAnyType() {
    EmbeddedChannel backend = new EmbeddedChannel(FrameDecoder.forBackend());
    backend.writeInbound(Bytes.typed('Z', "I"));
    Frame f = backend.readInbound();
    assertThat(f.type()).isEqualTo((byte) 'Z');
    f.release();
    assertThat(backend.finish()).isFalse();
  }

  private void assertViolation(ByteBuf input, String message) {
    assertThatThrownBy(() -> channel.writeInbound(input))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOf(ProtocolViolation.class)
        .hasMessageContaining(message);
  }
}
