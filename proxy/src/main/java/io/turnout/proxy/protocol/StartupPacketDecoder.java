package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Decodes the untyped packets that open a client connection into {@link StartupPacket}s. It stays
 * in the pipeline across SSLRequest / GSSENCRequest negotiation; whoever handles the final
 * StartupMessage replaces it with a {@link FrameDecoder}.
 *
 * <p>Bytes that follow an SSLRequest or GSSENCRequest before the answer are refused: they would be
 * processed as if they came over the encrypted channel (CVE-2021-23214).
 */
public final class StartupPacketDecoder extends StrictDecoder {
  private boolean awaitingNegotiationAnswer;

  /**
   * Set once the StartupMessage is out. What follows it are typed frames (a client may pipeline a
   * Query behind its StartupMessage): they stay buffered here until the FrameDecoder that replaces
   * this decoder receives them.
   */
  private boolean startupDecoded;

  /** Called once the answer to an SSLRequest/GSSENCRequest has been written. */
  public void negotiationAnswered() {
    awaitingNegotiationAnswer = false;
  }

  @Override
  protected void decodeValid(ByteBuf in, List<Object> out) {
    if (startupDecoded) {
      return;
    }
    if (awaitingNegotiationAnswer) {
      throw new ProtocolViolation("received unencrypted data after SSL request");
    }
    if (in.readableBytes() < 4) {
      return;
    }
    int length = in.getInt(in.readerIndex());
    if (length < 8 || length > StartupPacket.MAX_LENGTH) {
      throw ProtocolViolation.unanswered("invalid length of startup packet: " + length);
    }
    if (in.readableBytes() < length) {
      return;
    }
    ByteBuf packet = in.slice(in.readerIndex() + 4, length - 4);
    in.skipBytes(length);
    StartupPacket decoded = StartupPacket.decode(packet);
    if (decoded == StartupPacket.SSLRequest.INSTANCE
        || decoded == StartupPacket.GSSENCRequest.INSTANCE) {
      awaitingNegotiationAnswer = true;
      if (in.isReadable()) {
        throw new ProtocolViolation("received unencrypted data after SSL request");
      }
    }
    if (decoded instanceof StartupPacket.StartupMessage) {
      startupDecoded = true;
    }
    out.add(decoded);
  }
}
