package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponseTest {
  @Test
  void encode_writesSeverityCodeMessageAndDetail() {
    ByteBuf buf =
        ErrorResponse.fatal("08006", "backend gone")
            .withDetail("why")
            .encode(ByteBufAllocator.DEFAULT);
    try {
      assertThat(buf.readByte()).isEqualTo((byte) 'E');
      assertThat(buf.readInt()).isEqualTo(buf.readableBytes() + 4);
      String fields = buf.toString(StandardCharsets.UTF_8);
      assertThat(fields).isEqualTo("SFATAL\0VFATAL\0C08006\0Mbackend gone\0Dwhy\0\0");
    } finally {
      buf.release();
    }
  }
}
