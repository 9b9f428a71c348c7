package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.turnout.proxy.protocol.StartupPacket.CancelRequest;
import io.turnout.proxy.protocol.StartupPacket.StartupMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StartupPacketDecoderTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder());

  @AfterEach
  void noLeftovers() {
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void startupMessage_byteByByte_decodesParametersInOrder() {
    Bytes.feedByteByByte(
        channel,
        Bytes.startupMessage(
            196608, "user", "app", "database", "shop", "application_name", "psql"));
    StartupMessage msg = channel.readInbound();
    assertThat(msg.majorVersion()).isEqualTo(3);
    assertThat(msg.parameters())
        .containsExactly(
            org.assertj.core.api.Assertions.entry("user", "app"),
            org.assertj.core.api.Assertions.entry("database", "shop"),
            org.assertj.core.api.Assertions.entry("application_name", "psql"));
  }

  @Test
  void startupMessage_reencodes_toTheSameBytes() {
    ByteBuf original = Bytes.startupMessage(196608, "user", "app", "options", "-c x=1");
    ByteBuf copy = original.copy();
    channel.writeInbound(original);
    StartupMessage msg = channel.readInbound();
    ByteBuf encoded = msg.encode(channel.alloc());
    try {
      assertThat(encoded).isEqualTo(copy);
    } finally {
      encoded.release();
      copy.release();
    }
  }

  @Test
  void startupMessage_withoutDatabase_defaultsToUser() {
    channel.writeInbound(Bytes.startupMessage(196608, "user", "alice"));
    StartupMessage msg = channel.readInbound();
    assertThat(msg.database()).isEqualTo("alice");
  }

  @Test
  void framesPipelinedBehindStartupMessage_stayBufferedForTheFrameDecoder() {
    channel.writeInbound(
        Bytes.concat(Bytes.startupMessage(196608, "user", "app"), Bytes.typed('Q', "select 1\0")));
    assertThat(channel.<Object>readInbound()).isInstanceOf(StartupMessage.class);
    assertThat(channel.<Object>readInbound()).isNull();
    // Replacing the decoder hands the buffered Query on, whole, to the next decoder.
    channel
        .pipeline()
        .replace(StartupPacketDecoder.class, "frames", FrameDecoder.forFrontend(1024));
    Frame query = channel.readInbound();
    assertThat(query.type()).isEqualTo((byte) 'Q');
    query.release();
  }

  @Test
  void sslRequest_decodes() {
    Bytes.feedByteByByte(channel, Bytes.untyped(StartupPacket.SSL_REQUEST_CODE));
    assertThat(channel.<Object>readInbound()).isSameAs(StartupPacket.SSLRequest.INSTANCE);
  }

  @Test
  void gssencRequest_decodes() {
    channel.writeInbound(Bytes.untyped(StartupPacket.GSSENC_REQUEST_CODE));
    assertThat(channel.<Object>readInbound()).isSameAs(StartupPacket.GSSENCRequest.INSTANCE);
  }

  @Test
  void cancelRequest_byteByByte_carriesKey() {
    Bytes.feedByteByByte(channel, Bytes.untyped(StartupPacket.CANCEL_REQUEST_CODE, 1234, -99));
    CancelRequest cancel = channel.readInbound();
    assertThat(cancel.key()).isEqualTo(new BackendKeyData(1234, -99));
  }

  @Test
  void dataPipelinedAfterSslRequest_isRefused() {
    ByteBuf both =
        Bytes.concat(
            Bytes.untyped(StartupPacket.SSL_REQUEST_CODE),
            Bytes.startupMessage(196608, "user", "app"));
    assertViolation(both, "unencrypted data after SSL request");
  }

  @Test
  void sslRequestThenStartupAfterAnswer_isAccepted() {
    StartupPacketDecoder decoder = channel.pipeline().get(StartupPacketDecoder.class);
    channel.writeInbound(Bytes.untyped(StartupPacket.SSL_REQUEST_CODE));
    assertThat(channel.<Object>readInbound()).isSameAs(StartupPacket.SSLRequest.INSTANCE);
    decoder.negotiationAnswered();
    channel.writeInbound(Bytes.startupMessage(196608, "user", "app"));
    assertThat(channel.<Object>readInbound()).isInstanceOf(StartupMessage.class);
  }

  @Test
  void lengthBelowMinimum_isProtocolViolation_thatPostgresDoesNotAnswer() {
    assertThatThrownBy(() -> channel.writeInbound(Bytes.untyped(0).setInt(0, 4)))
        .cause()
        .isInstanceOfSatisfying(
            ProtocolViolation.class, v -> assertThat(v.answered()).as("answered").isFalse())
        .hasMessageContaining("invalid length of startup packet: 4");
  }

  @Test
  void lengthAboveMaximum_isProtocolViolation() {
    assertViolation(Bytes.untyped(0).setInt(0, 1_000_000), "invalid length of startup packet");
  }

  @Test
  void protocolVersion2_isFeatureNotSupported() {
    ByteBuf v2 = Bytes.startupMessage(2 << 16, "user", "app");
    assertThatThrownBy(() -> channel.writeInbound(v2))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOfSatisfying(
            ProtocolViolation.class,
            v -> assertThat(v.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
  }

  @Test
  void missingUser_isInvalidAuthorization() {
    ByteBuf noUser = Bytes.startupMessage(196608, "database", "x");
    assertThatThrownBy(() -> channel.writeInbound(noUser))
        .cause()
        .isInstanceOfSatisfying(
            ProtocolViolation.class, v -> assertThat(v.sqlState()).isEqualTo("28000"));
  }

  @Test
  void missingTerminator_isProtocolViolation() {
    ByteBuf buf = Bytes.startupMessage(196608, "user", "app");
    buf.writerIndex(buf.writerIndex() - 2); // cut "app" short and drop the terminators
    buf.setInt(0, buf.readableBytes());
    assertViolation(buf, "missing string terminator");
  }

  @Test
  void truncatedPacket_waitsForMore() {
    ByteBuf buf = Bytes.startupMessage(196608, "user", "app");
    channel.writeInbound(buf.readRetainedSlice(6));
    assertThat(channel.<Object>readInbound()).isNull();
    buf.release();
  }

  @Test
  void cancelRequestWithWrongLength_isProtocolViolation() {
    assertViolation(
        Bytes.untyped(StartupPacket.CANCEL_REQUEST_CODE, 1), "invalid length of CancelRequest");
  }

  private void assertViolation(ByteBuf input, String message) {
    assertThatThrownBy(() -> channel.writeInbound(input))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOf(ProtocolViolation.class)
        .hasMessageContaining(message);
  }
}
