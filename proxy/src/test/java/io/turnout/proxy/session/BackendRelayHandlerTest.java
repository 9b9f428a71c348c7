package io.turnout.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.turnout.proxy.protocol.FrameDecoder;
import org.junit.jupiter.api.Test;

class BackendRelayHandlerTest {

  /** A backend stream the scanner refuses must not leak the chunk it was reading. */
  @Test
  void chunkTheScannerRefuses_isReleased_andTheSessionClosed() {
    EmbeddedChannel client = new EmbeddedChannel();
    Session session = new Session(client, null);
    EmbeddedChannel backend = new EmbeddedChannel(new BackendRelayHandler(session));
    ByteBuf invalid = Unpooled.buffer().writeByte('D').writeInt(2); // length below 4

    backend.writeInbound(invalid);

    assertThat(invalid.refCnt()).isZero();
    assertThat(session.closing()).isTrue();
    backend.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  /**
   * Turnout lowered the client's protocol version (it asked for a minor version Turnout does not
   * know) and the backend accepted the lowered one without negotiating: the client is told.
   */
  @Test
  void loweredVersion_acceptedByTheBackend_isNegotiatedByTurnout() {
    EmbeddedChannel client = new EmbeddedChannel();
    Session session = new Session(client, null);
    session.protocolLowered(true);
    EmbeddedChannel backend =
        new EmbeddedChannel(FrameDecoder.forBackend(), new BackendRelayHandler(session));

    backend.writeInbound(authenticationOk());

    ByteBuf negotiate = client.readOutbound();
    assertThat(negotiate.readByte()).isEqualTo((byte) 'v');
    assertThat(negotiate.readInt()).isEqualTo(12);
    assertThat(negotiate.readInt()).as("newest version").isEqualTo(3 << 16 | 2);
    assertThat(negotiate.readInt()).as("options refused").isZero();
    negotiate.release();
    ByteBuf auth = client.readOutbound();
    assertThat(auth.getByte(0)).isEqualTo((byte) 'R');
    auth.release();
    backend.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  @Test
  void loweredVersion_negotiatedByTheBackend_isRelayedAsIs() {
    EmbeddedChannel client = new EmbeddedChannel();
    Session session = new Session(client, null);
    session.protocolLowered(true);
    EmbeddedChannel backend =
        new EmbeddedChannel(FrameDecoder.forBackend(), new BackendRelayHandler(session));
    ByteBuf backendNegotiates =
        Unpooled.buffer().writeByte('v').writeInt(12).writeInt(3 << 16).writeInt(0);

    backend.writeInbound(Unpooled.wrappedBuffer(backendNegotiates, authenticationOk()));

    ByteBuf first = client.readOutbound();
    assertThat(first.getByte(0)).isEqualTo((byte) 'v');
    assertThat(first.getInt(5)).as("the backend's answer: 3.0").isEqualTo(3 << 16);
    first.release();
    ByteBuf second = client.readOutbound();
    assertThat(second.getByte(0)).isEqualTo((byte) 'R');
    second.release();
    backend.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  private static ByteBuf authenticationOk() {
    return Unpooled.buffer().writeByte('R').writeInt(8).writeInt(0);
  }
}
