package io.turnout.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.protocol.BindMessage;
import io.turnout.proxy.protocol.BindParameter;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.Frame;
import io.turnout.proxy.protocol.FrontendType;
import io.turnout.proxy.protocol.ParseMessage;
import io.turnout.proxy.protocol.ProtocolViolation;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.routing.PlannedStatement;
import io.turnout.proxy.routing.PreparedStatements;
import io.turnout.proxy.routing.Routing;
import io.turnout.proxy.routing.SessionSetting;
import io.turnout.router.StickyKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays client frames to the backend as raw bytes. With routing it also keeps each session's named
 * statements current with the migrations' phases:
 *
 * <ul>
 *   <li>a Query or Parse that may name a managed table is planned first: at once from cached
 *       decisions, else on the analysis executor (the client is not read meanwhile, and what it
 *       already sent waits behind it, in order);
 *   <li>a named routed read is prepared twice, as the client wrote it and as its new-schema variant
 *       (an internal name), and each Bind picks one by the session's read path (or by the value it
 *       binds to the migration's key column); an unnamed routed read keyed by a parameter is parsed
 *       as the variant its Bind's value chooses;
 *   <li>a Bind of a named statement prepared under other phases than now re-prepares it first
 *       (Close and Parse that Turnout injects, their replies hidden), so a statement prepared in
 *       {@code expanded} dual-writes once {@code dual_write} starts, and a read bound to the new
 *       variant drops back on rollback;
 *   <li>a Close of such a statement closes its variant too.
 * </ul>
 *
 * Every message sent is recorded in the session's {@link Exchanges}, in send order, so each reply
 * is matched to its request. Back-pressure: the client is read again only when the backend can take
 * more; a slow backend therefore throttles a fast client instead of filling the proxy's memory.
 * Also the client side of back-pressure for results: when the client drains its socket, the backend
 * is read again.
 */
final class FrontendRelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendRelayHandler.class);

  /** {@code DEALLOCATE [PREPARE] name|ALL} or {@code DISCARD ALL}, alone in a Query. */
  private static final Pattern DEALLOCATE =
      Pattern.compile(
          "\\s*(?:deallocate(?:\\s+prepare)?\\s+(?:(all)|\"((?:[^\"]|\"\")+)\"|([^\\s;\"]+))"
              + "|discard\\s+(all))\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  /** Variants of statements a DEALLOCATE dropped, closed before the client's next Sync. */
  private static final int MAX_VARIANTS_TO_CLOSE = 1024;

  private final Session session;
  private final Routing routing;
  private final Exchanges exchanges;

  /**
   * Frames that arrived while a message was being planned: they go out after it, in order. Bounded
   * by one socket read, since the client is not read again until planning ends.
   */
  private final ArrayDeque<Frame> held = new ArrayDeque<>();

  private final ArrayDeque<String> variantsToClose = new ArrayDeque<>();

  /** A message is being planned on the analysis executor. */
  private boolean planning;

  /**
   * The unnamed statement when it is a routed read keyed by a parameter ({@code WHERE id = $1} with
   * {@code reads: { sticky: key_column }}), else null. Its path is chosen at each Bind by the value
   * bound, so its Parse waits for the Bind that normally follows at once; when something else comes
   * first the old variant is parsed, and a Bind that chooses the other re-parses.
   */
  private UnnamedRoute unnamed;

  private static final class UnnamedRoute {
    final PlannedStatement planned;
    final byte[] types;

    /** The Parse went out, of the new variant when {@code holdsNew}. */
    boolean sent;

    boolean holdsNew;

    UnnamedRoute(PlannedStatement planned, byte[] types) {
      this.planned = planned;
      this.types = types;
    }
  }

  FrontendRelayHandler(Session session) {
    this.session = session;
    this.routing = session.context() == null ? null : session.env().routing().orElse(null);
    this.exchanges = routing == null ? null : session.exchanges();
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
    byte type = frame.type();
    if (type == FrontendType.TERMINATE) {
      session.terminateRequested(frame.content());
      return;
    }
    session.clientSent(type);
    if (routing == null) {
      session.backend().write(frame.content());
      return;
    }
    if (unnamed != null
        && !unnamed.sent
        && !(type == FrontendType.BIND && BindMessage.ofUnnamedStatement(frame.payload()))) {
      parseUnnamed(false, false);
    }
    switch (type) {
      case FrontendType.QUERY -> query(ctx, frame);
      case FrontendType.PARSE -> parse(ctx, frame);
      case FrontendType.BIND -> bind(ctx, frame);
      case FrontendType.CLOSE -> close(frame);
      case FrontendType.DESCRIBE -> {
        ByteBuf p = frame.payload();
        byte target = p.isReadable() ? p.getByte(p.readerIndex()) : 0;
        send(frame.content(), Exchanges.kindOf(type, target), null);
      }
      case FrontendType.SYNC -> {
        closeDroppedVariants();
        send(frame.content(), Exchanges.SYNC, null);
      }
      default -> send(frame.content(), Exchanges.kindOf(type, (byte) 0), null);
    }
  }

  /** Sends a client's message (or what replaces it), recorded with {@code outcome} (or none). */
  private void send(ByteBuf message, int kind, Exchanges.Outcome outcome) {
    if (exchanges.sent(kind, outcome)) {
      session.backend().write(message);
    } else {
      tooManyInFlight(message);
    }
  }

  /** Sends a message of Turnout's own: its success reply is kept from the client. */
  private void inject(ByteBuf message, int kind, Exchanges.Outcome outcome) {
    if (exchanges.sentHidden(kind, outcome)) {
      session.backend().write(message);
    } else {
      tooManyInFlight(message);
    }
  }

  private void tooManyInFlight(ByteBuf message) {
    message.release();
    session.closeWithError(
        ErrorResponse.fatal(
            SqlState.PROGRAM_LIMIT_EXCEEDED,
            "terminating connection: more than "
                + Exchanges.MAX
                + " requests in flight without a reply (Turnout's limit)"));
  }

  /**
   * A Query: planned when it may name a managed table (the checks that decide this allocate nothing
   * until a migration is active); a DEALLOCATE or DISCARD ALL drops followed statements; a SET of
   * {@code turnout.sticky_key} is followed.
   */
  private void query(ChannelHandlerContext ctx, Frame frame) {
    unnamed = null; // a Query replaces the unnamed statement
    StateSnapshot state = routing.state();
    boolean mayPlan = routing.mayNeedPlanning(state);
    PreparedStatements prepared = session.prepared();
    ByteBuf body = frame.payload();
    int start = firstNonBlank(body, body.readerIndex());
    boolean mayDeallocate = !prepared.isEmpty() && startsWith(body, start, "d");
    boolean maySet = maySetSomething(body, start);
    if (!mayPlan && !mayDeallocate && !maySet) {
      send(frame.content(), Exchanges.UNTIL_READY, null);
      return;
    }
    String query = queryText(body);
    if (mayDeallocate) {
      deallocated(query);
    }
    if (maySet) {
      SessionSetting.of(query).ifPresent(session.context()::changed);
    }
    if (!mayPlan || !routing.mayRoute(query, state)) {
      send(frame.content(), Exchanges.UNTIL_READY, null);
      return;
    }
    afterPlanning(
        ctx,
        frame,
        routing.planQuery(query, state, session.context(), session.identity()),
        text -> {
          if (text == null) {
            send(frame.content(), Exchanges.UNTIL_READY, null);
          } else {
            frame.release();
            send(encodeQuery(session.backend(), text), Exchanges.UNTIL_READY, null);
          }
        });
  }

  /** Where a Parse's statement text starts after blanks (past the name). */
  private static int sqlStart(ByteBuf parse) {
    int end = parse.indexOf(parse.readerIndex(), parse.writerIndex(), (byte) 0);
    return end < 0 ? parse.writerIndex() : firstNonBlank(parse, end + 1);
  }

  /** Where a statement's text starts after blanks, read without decoding anything. */
  private static int firstNonBlank(ByteBuf text, int from) {
    int i = from;
    while (i < text.writerIndex() && isBlank(text.getByte(i))) {
      i++;
    }
    return i;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  /** The text at {@code at} begins with {@code word} (lower-case ASCII), in any case. */
  private static boolean startsWith(ByteBuf text, int at, String word) {
    if (at + word.length() > text.writerIndex()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      byte b = text.getByte(at + i);
      if ((b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * May be a {@link SessionSetting} (SET, RESET, DISCARD, SELECT set_config): checked on the bytes,
   * so an ordinary SELECT is not decoded for it.
   */
  private static boolean maySetSomething(ByteBuf text, int at) {
    if (startsWith(text, at, "set")
        || startsWith(text, at, "reset")
        || startsWith(text, at, "discard")) {
      return true;
    }
    if (!startsWith(text, at, "select")) {
      return false;
    }
    int next = firstNonBlank(text, at + 6);
    return startsWith(text, next, "set_config") || startsWith(text, next, "pg_catalog.set_config");
  }

  /**
   * A Query that deallocates statements: they are not followed any more (PostgreSQL drops them).
   */
  private void deallocated(String query) {
    Matcher m = DEALLOCATE.matcher(query);
    if (!m.matches()) {
      return;
    }
    PreparedStatements prepared = session.prepared();
    if (m.group(1) != null || m.group(4) != null) {
      // DISCARD ALL fails inside a transaction block, and then drops nothing.
      if (m.group(1) != null || !session.state().inTransaction()) {
        prepared.clear(); // the backend dropped every statement, variants too
        variantsToClose.clear();
      }
      return;
    }
    String name =
        m.group(2) != null ? m.group(2).replace("\"\"", "\"") : m.group(3).toLowerCase(Locale.ROOT);
    prepared.setting(name, null);
    PreparedStatements.Statement s = prepared.remove(name);
    if (s != null && s.variant() != null && variantsToClose.size() < MAX_VARIANTS_TO_CLOSE) {
      variantsToClose.add(s.variant());
    }
  }

  private void closeDroppedVariants() {
    String variant;
    while ((variant = variantsToClose.poll()) != null) {
      inject(closeStatement(variant), Exchanges.CLOSE, null);
    }
  }

  /**
   * A Parse: an unnamed one is planned like a Query; a named one on a managed table is followed and
   * prepared as its planning says (with its variant for a routed read). A planned refusal keeps the
   * parameter count, so the client's Bind still fits and the refusal is raised at Execute, aborting
   * the transaction as a failure would.
   */
  private void parse(ChannelHandlerContext ctx, Frame frame) {
    StateSnapshot state = routing.state();
    ByteBuf payload = frame.payload();
    boolean named = payload.isReadable() && payload.getByte(payload.readerIndex()) != 0;
    if (!named) {
      unnamed = null;
    }
    boolean mayPlan = routing.mayNeedPlanning(state);
    boolean maySet = !named && maySetSomething(payload, sqlStart(payload));
    if (!mayPlan && !named && !maySet) {
      send(frame.content(), Exchanges.PARSE, null); // the hot path: nothing decoded
      return;
    }
    ParseMessage parse = ParseMessage.decode(payload);
    if (parse == null) {
      send(frame.content(), Exchanges.PARSE, null); // malformed: PostgreSQL's to refuse
      return;
    }
    if (!named) {
      if (maySet) {
        // pgJDBC sends a Statement's SET this way; it takes effect when it runs, soon after.
        SessionSetting.of(parse.sql()).ifPresent(session.context()::changed);
      }
      if (!mayPlan || !routing.mayRoute(parse.sql(), state)) {
        send(frame.content(), Exchanges.PARSE, null);
        return;
      }
      afterPlanning(
          ctx,
          frame,
          routing.planParse(parse.sql(), state, session.context(), session.identity(), false),
          p -> {
            if (p == null) {
              send(frame.content(), Exchanges.PARSE, null);
            } else if (p.variantSql() != null) {
              unnamed = new UnnamedRoute(p, parse.types(payload));
              frame.release(); // parsed when its Bind comes
            } else {
              ByteBuf planned = parse.withSql(payload, p.sql(), p.refusal(), alloc());
              frame.release();
              send(planned, Exchanges.PARSE, null);
            }
          });
      return;
    }
    parseNamed(ctx, frame, parse, state, mayPlan);
  }

  private void parseNamed(
      ChannelHandlerContext ctx,
      Frame frame,
      ParseMessage parse,
      StateSnapshot state,
      boolean mayPlan) {
    PreparedStatements prepared = session.prepared();
    String name = parse.name();
    PreparedStatements.Statement previous = prepared.get(name);
    boolean maySet = maySetSomething(frame.payload(), sqlStart(frame.payload()));
    prepared.setting(name, maySet ? SessionSetting.of(parse.sql()).orElse(null) : null);
    if (!routing.router().mayName(parse.sql())) {
      // Names no managed table: never followed. PostgreSQL refuses it while the name is taken; if
      // it takes it, what was followed under that name was gone already.
      send(
          frame.content(),
          Exchanges.PARSE,
          previous == null
              ? null
              : done -> {
                if (done && prepared.get(name) == previous) {
                  prepared.remove(name);
                }
              });
      return;
    }
    byte[] types = parse.types(frame.payload());
    PreparedStatements.Statement s = prepared.parsed(name, parse.sql(), types);
    if (s == null) {
      String refusal =
          routing.refusal(
              SqlState.PROGRAM_LIMIT_EXCEEDED,
              "this session has too many prepared statements on tables under migration for"
                  + " Turnout to follow (at most "
                  + PreparedStatements.MAX
                  + ", "
                  + PreparedStatements.MAX_CHARS
                  + " characters); close some");
      frame.release();
      send(ParseMessage.encode(alloc(), name, refusal, types, true), Exchanges.PARSE, null);
      return;
    }
    Exchanges.Outcome restoreOnFailure =
        done -> {
          if (!done) {
            prepared.restore(name, s, previous);
          }
        };
    String fingerprint = routing.decisionFingerprint(state, session.context());
    if (!mayPlan || !routing.mayRoute(parse.sql(), state)) {
      s.prepared(fingerprint, null, null);
      send(frame.content(), Exchanges.PARSE, restoreOnFailure);
      return;
    }
    afterPlanning(
        ctx,
        frame,
        routing.planParse(parse.sql(), state, session.context(), session.identity(), true),
        p -> {
          if (p == null) {
            send(frame.content(), Exchanges.PARSE, restoreOnFailure);
          } else {
            frame.release();
            send(encodeParse(name, p.sql(), types, p.refusal()), Exchanges.PARSE, restoreOnFailure);
          }
          s.prepared(fingerprint, prepareVariant(s, p), p);
        });
  }

  /** Prepares the new-schema variant {@code p} plans, if any, under a fresh name; that name. */
  private String prepareVariant(PreparedStatements.Statement s, PlannedStatement p) {
    if (p == null || p.variantSql() == null) {
      return null;
    }
    String variant = session.prepared().newVariantName();
    inject(
        encodeParse(variant, p.variantSql(), s.types(), false),
        Exchanges.PARSE,
        done -> {
          if (!done) {
            s.notPrepared();
          }
        });
    return variant;
  }

  /**
   * A Bind: of a followed named statement prepared under other phases than now, it re-prepares the
   * statement first; of a routed read, it is pointed at the variant the session's path chooses.
   */
  private void bind(ChannelHandlerContext ctx, Frame frame) {
    PreparedStatements prepared = session.prepared();
    ByteBuf payload = frame.payload();
    boolean ofUnnamed = BindMessage.ofUnnamedStatement(payload);
    if (ofUnnamed && unnamed != null) {
      BindMessage bind = BindMessage.decode(payload);
      PlannedStatement p = unnamed.planned;
      String key = bind == null ? null : keyValue(p.key(), payload, bind, unnamed.types);
      parseUnnamed(routing.readsNew(p.migrationId(), session.context(), key), unnamed.sent);
      send(frame.content(), Exchanges.BIND, null);
      return;
    }
    if (prepared.isEmpty() || ofUnnamed) {
      send(frame.content(), Exchanges.BIND, null);
      return;
    }
    BindMessage bind = BindMessage.decode(payload);
    SessionSetting setting = bind == null ? null : prepared.settingOf(bind.statement());
    if (setting != null) {
      session.context().changed(setting); // it takes effect at the Execute that follows
    }
    PreparedStatements.Statement s = bind == null ? null : prepared.get(bind.statement());
    if (s == null) {
      send(frame.content(), Exchanges.BIND, null);
      return;
    }
    StateSnapshot state = routing.state();
    String fingerprint = routing.decisionFingerprint(state, session.context());
    if (s.preparedUnder(fingerprint)) {
      bindChosen(frame, bind, s);
    } else if (!routing.mayNeedPlanning(state) || !routing.mayRoute(s.sql(), state)) {
      reprepare(s, null, fingerprint);
      bindChosen(frame, bind, s);
    } else {
      afterPlanning(
          ctx,
          frame,
          routing.planParse(s.sql(), state, session.context(), session.identity(), true),
          p -> {
            reprepare(s, p, fingerprint);
            bindChosen(frame, bind, s);
          });
    }
  }

  /**
   * Parses the routed unnamed statement's variant for this path, unless the backend holds it: the
   * client's Parse, or when that went out already ({@code again}) one of Turnout's own.
   */
  private void parseUnnamed(boolean readsNew, boolean again) {
    UnnamedRoute u = unnamed;
    if (again && u.holdsNew == readsNew) {
      return;
    }
    PlannedStatement p = u.planned;
    ByteBuf parse = encodeParse("", readsNew ? p.variantSql() : p.sql(), u.types, false);
    if (again) {
      inject(parse, Exchanges.PARSE, null);
    } else {
      send(parse, Exchanges.PARSE, null);
    }
    u.sent = true;
    u.holdsNew = readsNew;
  }

  /** Replaces the backend's statement (and variant) of {@code s} by what {@code p} plans now. */
  private void reprepare(PreparedStatements.Statement s, PlannedStatement p, String fingerprint) {
    inject(closeStatement(s.name()), Exchanges.CLOSE, null);
    inject(
        encodeParse(s.name(), p == null ? s.sql() : p.sql(), s.types(), p != null && p.refusal()),
        Exchanges.PARSE,
        done -> {
          if (!done) {
            s.notPrepared();
          }
        });
    if (s.variant() != null) {
      inject(closeStatement(s.variant()), Exchanges.CLOSE, null);
    }
    s.prepared(fingerprint, prepareVariant(s, p), p);
    routing.reprepared();
  }

  private void bindChosen(Frame frame, BindMessage bind, PreparedStatements.Statement s) {
    if (s.variant() != null
        && routing.readsNew(
            s.migrationId(),
            session.context(),
            keyValue(s.key(), frame.payload(), bind, s.types()))) {
      send(bind.withStatement(frame.content(), s.variant(), alloc()), Exchanges.BIND, null);
    } else {
      send(frame.content(), Exchanges.BIND, null);
    }
  }

  /** What this Bind gives the statement's sticky key: a parameter's value, or the literal. */
  private static String keyValue(StickyKey key, ByteBuf payload, BindMessage bind, byte[] types) {
    if (key == null || !key.isParameter()) {
      return key == null ? null : key.literal();
    }
    int declared = BindParameter.declaredType(types, key.parameter());
    return BindParameter.text(
        payload, bind.restOffset(), key.parameter(), declared != 0 ? declared : key.typeOid());
  }

  /** A Close of a followed named statement ('S' then the name) closes its variant too. */
  private void close(Frame frame) {
    PreparedStatements prepared = session.prepared();
    ByteBuf payload = frame.payload();
    if (prepared.isEmpty()
        || !payload.isReadable()
        || payload.getByte(payload.readerIndex()) != 'S') {
      send(frame.content(), Exchanges.CLOSE, null);
      return;
    }
    String name = cString(payload, payload.readerIndex() + 1);
    if (name != null) {
      prepared.setting(name, null);
    }
    PreparedStatements.Statement s = name == null ? null : prepared.remove(name);
    if (s == null) {
      send(frame.content(), Exchanges.CLOSE, null);
      return;
    }
    // After an earlier error PostgreSQL discards the Close unseen: the statement lives on.
    send(
        frame.content(),
        Exchanges.CLOSE,
        done -> {
          if (!done) {
            prepared.restore(name, null, s);
          }
        });
    if (s.variant() != null) {
      inject(closeStatement(s.variant()), Exchanges.CLOSE, null);
    }
  }

  private static String cString(ByteBuf b, int from) {
    int end = b.indexOf(from, b.writerIndex(), (byte) 0);
    return end < 0 ? null : b.toString(from, end - from, StandardCharsets.UTF_8);
  }

  private static String queryText(ByteBuf payload) {
    return payload.toString(
        payload.readerIndex(), Math.max(0, payload.readableBytes() - 1), StandardCharsets.UTF_8);
  }

  private ByteBufAllocator alloc() {
    return session.backend().alloc();
  }

  private ByteBuf encodeParse(String name, String sql, byte[] types, boolean refusal) {
    return ParseMessage.encode(alloc(), name, sql, types, refusal);
  }

  private ByteBuf closeStatement(String name) {
    return ParseMessage.closeStatement(alloc(), name);
  }

  /**
   * {@code then} sends what was planned (it owns {@code frame}): at once when planning needed no
   * analysis, else once the analysis executor is done, back on the event loop, and what was held
   * meanwhile follows in order.
   */
  private <T> void afterPlanning(
      ChannelHandlerContext ctx, Frame frame, CompletableFuture<T> plan, Consumer<T> then) {
    if (plan.isDone()) {
      then.accept(plan.join()); // Routing completes every plan normally
      return;
    }
    planning = true;
    plan.whenComplete(
        (planned, e) ->
            ctx.executor()
                .execute(
                    () -> {
                      planning = false;
                      if (session.closing() || !session.backend().isActive()) {
                        frame.release();
                        releaseHeld();
                        return;
                      }
                      if (e != null) {
                        // Routing turns every failure into a refusal; this is a bug.
                        log.warn("planning failed unexpectedly; closing the session", e);
                        frame.release();
                        releaseHeld();
                        session.closeWithError(
                            ErrorResponse.fatal(
                                SqlState.INTERNAL_ERROR, "Turnout internal error: " + e));
                        return;
                      }
                      then.accept(planned);
                      resume(ctx);
                    }));
  }

  /** Relays what was held while planning, until it is all out or another plan starts. */
  private void resume(ChannelHandlerContext ctx) {
    while (!planning && !held.isEmpty()) {
      relay(ctx, held.poll());
    }
    Channel backend = session.backend();
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
