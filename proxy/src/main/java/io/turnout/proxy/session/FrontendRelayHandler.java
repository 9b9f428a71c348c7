package io.turnout.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.Frame;
import io.turnout.proxy.protocol.FrontendType;
import io.turnout.proxy.protocol.ProtocolViolation;
import io.turnout.proxy.protocol.SqlState;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays client frames to the backend as raw bytes. Back-pressure: the client is read again only
 * when the backend can take more; a slow backend therefore throttles a fast client instead of
 * filling the proxy's memory. Also the client side of back-pressure for results: when the client
 * drains its socket, the backend is read again.
 */
final class FrontendRelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendRelayHandler.class);

  private final Session session;

  FrontendRelayHandler(Session session) {
    this.session = session;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel backend = session.backend();
    if (!(msg instanceof Frame frame) || session.closing() || !backend.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (frame.type() == FrontendType.TERMINATE) {
      session.terminateRequested(frame.content());
      return;
    }
    session.clientSent(frame.type());
    backend.write(frame.content());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel backend = session.backend();
    backend.flush();
    if (backend.isWritable()) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // The client's socket drained: results may flow again.
    if (ctx.channel().isWritable() && session.backend().isActive()) {
      session.backend().read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (!session.waitingForClient()) {
        return; // a long query or COPY is running: the client is not idle, the backend is busy
      }
      boolean inTransaction = session.state().inTransaction();
      session.closeWithError(
          inTransaction
              ? ErrorResponse.fatal(
                  SqlState.IDLE_IN_TRANSACTION_TIMEOUT,
                  "terminating connection due to idle-in-transaction timeout (Turnout idle_timeout)")
              : ErrorResponse.fatal(
                  SqlState.IDLE_SESSION_TIMEOUT,
                  "terminating connection due to idle-session timeout (Turnout idle_timeout)"));
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = ProtocolViolation.unwrap(cause);
    if (root instanceof ProtocolViolation violation) {
      log.info(
          "protocol violation from client {}: {}",
          ctx.channel().remoteAddress(),
          violation.getMessage());
      session.closeWithError(violation.toErrorResponse());
    } else if (root instanceof IOException) {
      session.close(); // the client went away; nobody to tell
    } else {
      log.warn(
          "closing session of client {} after an unexpected error",
          ctx.channel().remoteAddress(),
          root);
      session.closeWithError(
          ErrorResponse.fatal(SqlState.INTERNAL_ERROR, "Turnout internal error: " + root));
    }
  }
}
