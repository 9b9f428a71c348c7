package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.turnout.proxy.protocol.StartupPacket.CancelRequest;
import io.turnout.proxy.protocol.StartupPacket.StartupMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cancel keys of protocol 3.0 (4-byte secret) and 3.2 (up to 256 bytes), kept whole. */
class BackendKeyDataTest {
  private static final byte[] SECRET_32 = new byte[32];

  static {
    for (int i = 0; i < SECRET_32.length; i++) {
      SECRET_32[i] = (byte) (i * 7 + 1);
    }
  }

  @Test
  void protocol32Key_of32Bytes_decodesAndEncodesWhole() {
    ByteBuf wire = Unpooled.buffer().writeByte('K').writeInt(4 + 4 + 32).writeInt(4242);
    wire.writeBytes(SECRET_32);
    Frame frame = new Frame((byte) 'K', wire.copy());

    BackendKeyData key = BackendKeyData.decode(frame);

    assertThat(key.processId()).isEqualTo(4242);
    assertThat(key.secret()).isEqualTo(SECRET_32);
    ByteBuf encoded = key.encode(Unpooled.buffer().alloc());
    assertThat(ByteBufUtil.equals(encoded, wire)).as("re-encoded bytes").isTrue();
    frame.release();
    encoded.release();
  }

  @Test
  void cancelRequest_withA32ByteKey_decodesWhole_andEncodesTheSameBytes() {
    ByteBuf packet =
        Unpooled.buffer()
            .writeInt(4 + 4 + 4 + 32)
            .writeInt(StartupPacket.CANCEL_REQUEST_CODE)
            .writeInt(77);
    packet.writeBytes(SECRET_32);
    EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder());
    channel.writeInbound(packet.copy());
    CancelRequest cancel = channel.readInbound();

    assertThat(cancel.key()).isEqualTo(new BackendKeyData(77, SECRET_32));
    ByteBuf encoded = cancel.encode(Unpooled.buffer().alloc());
    assertThat(ByteBufUtil.equals(encoded, packet)).as("re-encoded CancelRequest").isTrue();
    encoded.release();
    packet.release();
    channel.finishAndReleaseAll();
  }

  @Test
  void protocol30Key_isFourBytes() {
    BackendKeyData key = new BackendKeyData(1, 0x01020304);
    assertThat(key.secret()).containsExactly(1, 2, 3, 4);
    ByteBuf encoded = key.encode(Unpooled.buffer().alloc());
    assertThat(encoded.readableBytes()).isEqualTo(13);
    encoded.release();
  }

  @Test
  void secretOutside4To256Bytes_isRefused() {
    assertThatThrownBy(() -> new BackendKeyData(1, new byte[3]))
        .isInstanceOf(ProtocolViolation.class);
    assertThatThrownBy(() -> new BackendKeyData(1, new byte[257]))
        .isInstanceOf(ProtocolViolation.class);
  }

  @Test
  void toString_neverShowsTheSecret() {
    assertThat(new BackendKeyData(9, SECRET_32).toString())
        .isEqualTo("BackendKeyData[pid=9, 32-byte secret]");
  }

  @Test
  void startupForBackend_lowersAMinorVersionTurnoutDoesNotKnow_toNewestKnown() {
    StartupMessage future = new StartupMessage(3 << 16 | 9, Map.of("user", "app"));
    StartupMessage v32 = new StartupMessage(3 << 16 | 2, Map.of("user", "app"));

    assertThat(future.forBackend().minorVersion()).isEqualTo(2);
    assertThat(future.forBackend().parameters()).isEqualTo(future.parameters());
    assertThat(v32.forBackend()).isSameAs(v32);
  }
}
