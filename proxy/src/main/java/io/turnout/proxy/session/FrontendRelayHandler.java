package io.turnout.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.Frame;
import io.turnout.proxy.protocol.FrontendType;
import io.turnout.proxy.protocol.ProtocolViolation;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.routing.Routing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays client frames to the backend as raw bytes; with routing, a simple-protocol Query that may
 * name a managed table is planned on the analysis executor first (the client is not read meanwhile,
 * and what it already sent waits behind the Query, in order). Back-pressure: the client is read
 * again only when the backend can take more; a slow backend therefore throttles a fast client
 * instead of filling the proxy's memory. Also the client side of back-pressure for results: when
 * the client drains its socket, the backend is read again.
 */
final class FrontendRelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendRelayHandler.class);

  private final Session session;
  private final Routing routing;

  /**
   * Frames that arrived while a Query was being planned: they go out after it, in order. Bounded by
   * one socket read, since the client is not read again until planning ends.
   */
  private final ArrayDeque<Frame> held = new ArrayDeque<>();

  /** A Query is being planned on the analysis executor. */
  private boolean planning;

  FrontendRelayHandler(Session session) {
    this.session = session;
    this.routing = session.paths() == null ? null : session.env().routing().orElse(null);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel backend = session.backend();
    if (!(msg instanceof Frame frame) || session.closing() || !backend.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (planning) {
      held.add(frame);
      return;
    }
    relay(ctx, frame);
  }

  private void relay(ChannelHandlerContext ctx, Frame frame) {
    if (frame.type() == FrontendType.TERMINATE) {
      session.terminateRequested(frame.content());
      return;
    }
    session.clientSent(frame.type());
    if (routing != null) {
      if (frame.type() == FrontendType.QUERY && plan(ctx, frame)) {
        return;
      }
      if (frame.type() == FrontendType.PARSE) {
        noteUnappliedParse(frame);
      }
    }
    session.backend().write(frame.content());
  }

  /**
   * The extended protocol is not rewritten yet: a Parse naming a managed table while a migration is
   * active is relayed as it is, and counted and logged so the operator sees which applications
   * write without dual-write (verify then finds their drift).
   */
  private void noteUnappliedParse(Frame frame) {
    StateSnapshot state = routing.state();
    if (!routing.router().anyActive(state)) {
      return;
    }
    ByteBuf p = frame.payload();
    int nameEnd = p.indexOf(p.readerIndex(), p.writerIndex(), (byte) 0);
    if (nameEnd < 0) {
      return;
    }
    int sqlEnd = p.indexOf(nameEnd + 1, p.writerIndex(), (byte) 0);
    if (sqlEnd < 0) {
      return;
    }
    String sql = p.toString(nameEnd + 1, sqlEnd - nameEnd - 1, StandardCharsets.UTF_8);
    if (routing.mayRoute(sql, state)) {
      routing.unappliedExtended(session.identity());
    }
  }

  /**
   * Starts planning a Query that may name a managed table; false (send it as is) when it cannot.
   * The checks that decide this allocate nothing until a migration is active.
   */
  private boolean plan(ChannelHandlerContext ctx, Frame frame) {
    StateSnapshot state = routing.state();
    if (!routing.mayNeedPlanning(state)) {
      return false;
    }
    ByteBuf payload = frame.payload();
    String query =
        payload.toString(
            payload.readerIndex(),
            Math.max(0, payload.readableBytes() - 1),
            StandardCharsets.UTF_8);
    if (!routing.mayRoute(query, state)) {
      return false;
    }
    planning = true;
    routing
        .planQuery(query, state, session.paths(), session.identity())
        .whenComplete((text, e) -> ctx.executor().execute(() -> planned(ctx, frame, text)));
    return true;
  }

  /** Back on the event loop: send the planned Query, then what was held behind it. */
  private void planned(ChannelHandlerContext ctx, Frame frame, String text) {
    planning = false;
    Channel backend = session.backend();
    if (session.closing() || !backend.isActive()) {
      frame.release();
      releaseHeld();
      return;
    }
    if (text == null) {
      backend.write(frame.content());
    } else {
      frame.release();
      backend.write(encodeQuery(backend, text));
    }
    while (!planning && !held.isEmpty()) {
      relay(ctx, held.poll());
    }
    backend.flush();
    if (!planning && backend.isWritable()) {
      ctx.read();
    }
  }

  private static ByteBuf encodeQuery(Channel channel, String text) {
    ByteBuf buf = channel.alloc().buffer(text.length() + 16);
    buf.writeByte(FrontendType.QUERY).writeInt(0);
    buf.writeCharSequence(text, StandardCharsets.UTF_8);
    buf.writeByte(0);
    buf.setInt(1, buf.readableBytes() - 1);
    return buf;
  }

  private void releaseHeld() {
    Frame f;
    while ((f = held.poll()) != null) {
      f.release();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel backend = session.backend();
    backend.flush();
    if (!planning && backend.isWritable()) {
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
    releaseHeld();
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
