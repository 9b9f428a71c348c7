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
import io.turnout.proxy.protocol.ParseMessage;
import io.turnout.proxy.protocol.ProtocolViolation;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.routing.Routing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays client frames to the backend as raw bytes; with routing, a Query or Parse that may name a
 * managed table is planned on the analysis executor first (the client is not read meanwhile, and
 * what it already sent waits behind the Query, in order). Back-pressure: the client is read again
 * only when the backend can take more; a slow backend therefore throttles a fast client instead of
 * filling the proxy's memory. Also the client side of back-pressure for results: when the client
 * drains its socket, the backend is read again.
 */
final class FrontendRelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendRelayHandler.class);

  private final Session session;
  private final Routing routing;

  /**
   * Frames that arrived while a Query or Parse was being planned: they go out after it, in order.
   * Bounded by one socket read, since the client is not read again until planning ends.
   */
  private final ArrayDeque<Frame> held = new ArrayDeque<>();

  /** A Query or Parse is being planned on the analysis executor. */
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
      if (frame.type() == FrontendType.QUERY && planQuery(ctx, frame)) {
        return;
      }
      if (frame.type() == FrontendType.PARSE && planParse(ctx, frame)) {
        return;
      }
      // Binds and Closes are decoded only while some named statement on a managed table lives.
      if (!session.prepared().isEmpty()) {
        if (frame.type() == FrontendType.BIND) {
          checkPrepared(frame.payload());
        } else if (frame.type() == FrontendType.CLOSE) {
          closed(frame.payload());
        }
      }
    }
    session.backend().write(frame.content());
  }

  /**
   * Starts planning a Query that may name a managed table; false (send it as is) when it cannot.
   * The checks that decide this allocate nothing until a migration is active.
   */
  private boolean planQuery(ChannelHandlerContext ctx, Frame frame) {
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
        .whenComplete(
            (text, e) ->
                ctx.executor()
                    .execute(
                        () ->
                            planned(
                                ctx,
                                frame,
                                text == null ? null : encodeQuery(session.backend(), text))));
    return true;
  }

  /**
   * Starts planning the statement of a Parse, as {@link #planQuery}: its text is replaced by the
   * rewritten one or by a refusal (which keeps the parameter count, so the client's Bind still fits
   * and the refusal is raised at Execute, aborting the transaction as a failure would).
   */
  private boolean planParse(ChannelHandlerContext ctx, Frame frame) {
    StateSnapshot state = routing.state();
    ByteBuf payload = frame.payload();
    boolean named = payload.isReadable() && payload.getByte(payload.readerIndex()) != 0;
    boolean planned = routing.mayNeedPlanning(state);
    if (!planned && !named) {
      return false; // the hot path of unnamed statements while nothing is active: not decoded
    }
    ParseMessage parse = ParseMessage.decode(payload);
    if (parse == null) {
      return false; // a malformed Parse is PostgreSQL's to refuse
    }
    if (named) {
      // Followed from before any migration starts: such a statement outlives phase changes.
      session
          .prepared()
          .parsed(
              parse.name(),
              routing.router().mayName(parse.sql()) ? routing.decisionFingerprint(state) : null);
    }
    if (!planned || !routing.mayRoute(parse.sql(), state)) {
      return false;
    }
    planning = true;
    routing
        .planParse(parse.sql(), state, session.paths(), session.identity(), named)
        .whenComplete(
            (p, e) ->
                ctx.executor()
                    .execute(
                        () ->
                            planned(
                                ctx,
                                frame,
                                p == null
                                    ? null
                                    : parse.withSql(
                                        payload,
                                        p.sql(),
                                        p.refusal(),
                                        session.backend().alloc()))));
    return true;
  }

  /**
   * A Bind of a named statement prepared under other phases than now runs as it was prepared
   * (re-preparing is not built yet): counted and logged, so the operator knows to recycle those
   * connections (a pool's max lifetime) after a phase change.
   */
  private void checkPrepared(ByteBuf bind) {
    int portalEnd = bind.indexOf(bind.readerIndex(), bind.writerIndex(), (byte) 0);
    if (portalEnd < 0 || portalEnd + 1 >= bind.writerIndex() || bind.getByte(portalEnd + 1) == 0) {
      return; // malformed, or the unnamed statement (planned at its Parse)
    }
    String statement = cString(bind, portalEnd + 1);
    if (statement != null
        && session.prepared().stale(statement, routing.decisionFingerprint(routing.state()))) {
      routing.stalePrepared(session.identity(), statement);
    }
  }

  /** A Close of a named statement ('S' then the name) stops following it. */
  private void closed(ByteBuf close) {
    if (close.isReadable() && close.getByte(close.readerIndex()) == 'S') {
      String name = cString(close, close.readerIndex() + 1);
      if (name != null) {
        session.prepared().closed(name);
      }
    }
  }

  private static String cString(ByteBuf b, int from) {
    int end = b.indexOf(from, b.writerIndex(), (byte) 0);
    return end < 0 ? null : b.toString(from, end - from, StandardCharsets.UTF_8);
  }

  /** Back on the event loop: send the planned message (null: the original), then what was held. */
  private void planned(ChannelHandlerContext ctx, Frame frame, ByteBuf replacement) {
    planning = false;
    Channel backend = session.backend();
    if (session.closing() || !backend.isActive()) {
      if (replacement != null) {
        replacement.release();
      }
      frame.release();
      releaseHeld();
      return;
    }
    if (replacement == null) {
      backend.write(frame.content());
    } else {
      frame.release();
      backend.write(replacement);
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
