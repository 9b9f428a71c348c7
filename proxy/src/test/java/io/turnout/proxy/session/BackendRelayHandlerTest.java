package io.turnout.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
}
