package io.turnout.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.turnout.proxy.protocol.BackendKeyData;
import io.turnout.proxy.protocol.BackendStreamScanner;
import io.turnout.proxy.protocol.BackendType;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.Frame;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.protocol.StartupPacket;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays backend output to the client. During startup it works frame by frame, to swap the
 * backend's BackendKeyData for the proxy's own and to tell the client of a protocol version Turnout
 * lowered. At the first ReadyForQuery it removes the frame decoder and from then on relays whole
 * received chunks untouched, following message boundaries with a {@link BackendStreamScanner} to
 * track transaction and COPY state and to leave out the replies to messages Turnout injected.
 */
final class BackendRelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(BackendRelayHandler.class);

  private final Session session;
  private final BackendStreamScanner scanner;

  /** Where the scanner puts what the client is to see. */
  private final BackendStreamScanner.Sink toClient;

  private boolean streaming;
  private boolean firstFrameSeen;

  BackendRelayHandler(Session session) {
    this.session = session;
    this.scanner = new BackendStreamScanner(session);
    this.toClient = part -> session.client().write(part);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel client = session.client();
    if (!client.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof Frame frame && !streaming) {
      relayStartupFrame(ctx, frame);
      return;
    }
    ByteBuf chunk = msg instanceof Frame frame ? frame.content() : (ByteBuf) msg;
    try {
      scanner.scan(chunk, toClient);
    } catch (RuntimeException e) {
      chunk.release(); // exceptionCaught closes the session; the rest of the chunk is not relayed
      throw e;
    }
  }

  private void relayStartupFrame(ChannelHandlerContext ctx, Frame frame) {
    Channel client = session.client();
    if (!firstFrameSeen) {
      firstFrameSeen = true;
      // The backend accepted the version Turnout lowered without negotiating: the client, which
      // asked for a newer one, must still be told (PostgreSQL sends this before authentication).
      if (session.protocolLowered() && frame.type() != BackendType.NEGOTIATE_PROTOCOL_VERSION) {
        client.write(StartupPacket.StartupMessage.negotiateProtocolVersion(client.alloc()));
      }
    }
    switch (frame.type()) {
      case BackendType.BACKEND_KEY_DATA:
        BackendKeyData proxyKey = session.exchangeKey(BackendKeyData.decode(frame));
        frame.release();
        client.write(proxyKey.encode(client.alloc()));
        return;
      case BackendType.READY_FOR_QUERY:
        session.onMessage(frame.type());
        session.startupCompleted(frame.payload().getByte(frame.payload().readerIndex()));
        client.write(frame.content());
        streaming = true;
        // Any bytes already buffered behind this frame reach us as a plain ByteBuf.
        ctx.pipeline().remove("frameDecoder");
        return;
      case BackendType.PARAMETER_STATUS:
        session.onMessage(frame.type());
        ByteBuf p = frame.payload();
        byte[] body = new byte[p.readableBytes()];
        p.getBytes(p.readerIndex(), body);
        String[] nameValue = BackendStreamScanner.parseParameterStatus(body, 0, body.length);
        if (nameValue != null) {
          session.onParameterStatus(nameValue[0], nameValue[1]);
        }
        client.write(frame.content());
        return;
      default:
        session.onMessage(frame.type());
        client.write(frame.content());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel client = session.client();
    client.flush();
    session.afterBackendChunk();
    if (client.isWritable()) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // The backend took what the client sent: read more from the client.
    if (ctx.channel().isWritable() && session.client().isActive()) {
      session.client().read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session.closing()) {
      return;
    }
    if (session.backendLastSentError()) {
      // PostgreSQL told the client why (e.g. FATAL 57P01 or a failed password) before closing.
      session.close();
    } else {
      log.warn("backend {} closed the connection of a live session", ctx.channel().remoteAddress());
      session.closeWithError(
          ErrorResponse.fatal(
              SqlState.CONNECTION_FAILURE,
              "server closed the connection unexpectedly: the PostgreSQL backend at "
                  + ctx.channel().remoteAddress()
                  + " went away"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      log.warn("backend connection failed", cause);
    }
    session.closeWithError(
        ErrorResponse.fatal(
            SqlState.CONNECTION_FAILURE,
            "lost connection to the PostgreSQL backend: " + cause.getMessage()));
  }
}
