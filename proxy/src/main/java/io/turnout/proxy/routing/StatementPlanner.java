package io.turnout.proxy.routing;

import io.turnout.admin.flags.FlagProvider;
import io.turnout.admin.usage.NameUse;
import io.turnout.admin.usage.UsageTracker;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Decision;
import io.turnout.router.PassThrough;
import io.turnout.router.Reject;
import io.turnout.router.Rewrite;
import io.turnout.router.Route;
import io.turnout.router.Router;
import io.turnout.router.StickyKey;
import io.turnout.router.lexical.StatementSplitter.Piece;
import io.turnout.router.route.NamesUsed;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What to send PostgreSQL in place of a client's statements: for a simple-protocol Query string
 * each statement decided on its own (statements that need nothing stay byte-identical, comments and
 * whitespace between them too; rewritten ones are spliced in), for a Parse its one statement. A
 * routed read takes the session's path; a refused statement becomes a {@link RejectStatement}, so
 * PostgreSQL fails it as it would any failure. Every decided statement is counted for usage.
 */
final class StatementPlanner {
  private final Router router;
  private final FlagProvider flags;
  private final Map<String, Migration> migrations;
  private final WireMetrics metrics;
  private final Supplier<UsageTracker> usage;

  StatementPlanner(
      Router router,
      FlagProvider flags,
      Map<String, Migration> migrations,
      WireMetrics metrics,
      Supplier<UsageTracker> usage) {
    this.router = router;
    this.flags = flags;
    this.migrations = migrations;
    this.metrics = metrics;
    this.usage = usage;
  }

  /**
   * Thrown, without a stack, when planning without analysis ({@code analyse} false) meets a
   * statement whose decision is not cached: the caller plans again on the analysis executor.
   */
  static final class NotCached extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final NotCached INSTANCE = new NotCached();

    private NotCached() {
      super("decision not cached", null, false, false);
    }
  }

  /**
   * The text to send instead of {@code query}, or null when it goes unchanged.
   *
   * @param analyse false to plan only from cached decisions (cheap: no parsing), throwing {@link
   *     NotCached} at the first statement that would need analysis
   */
  String plan(
      String query,
      StateSnapshot state,
      SessionContext context,
      ClientIdentity client,
      boolean analyse) {
    List<Piece> pieces = Router.split(query);
    StringBuilder out = null;
    int copied = 0;
    for (Piece piece : pieces) {
      String replacement =
          replacement(decide(piece.sql(), state, context, client, analyse), state, context);
      if (replacement == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(query.length() + 64);
      }
      out.append(query, copied, piece.start()).append(replacement);
      copied = piece.end();
    }
    return out == null ? null : out.append(query, copied, query.length()).toString();
  }

  /**
   * One extended-protocol statement (a Parse): the text to parse instead, or null to parse it
   * unchanged. A named statement outlives its transaction, so a routed read in one is prepared both
   * ways, old and new variant, and each execution chooses (its reads are counted at the Bind). So
   * does an unnamed routed read whose sticky key is a parameter: its path waits for the value.
   */
  PlannedStatement planParse(
      String sql,
      StateSnapshot state,
      SessionContext context,
      ClientIdentity client,
      boolean named,
      boolean analyse) {
    Decision decision = decide(sql, state, context, client, analyse);
    if (decision instanceof Route route
        && (named || (route.key() != null && route.key().isParameter()))) {
      // Chosen per execution: a named statement's, and an unnamed one's keyed by its Bind.
      return new PlannedStatement(
          route.oldSql(), false, route.newSql(), route.migrationId(), route.key());
    }
    String replacement = replacement(decision, state, context);
    return replacement == null
        ? null
        : new PlannedStatement(replacement, decision instanceof Reject);
  }

  /** The router's decision for one statement, its names counted for {@code turnout usage}. */
  private Decision decide(
      String sql,
      StateSnapshot state,
      SessionContext context,
      ClientIdentity client,
      boolean analyse) {
    Router.Decided decided =
        analyse
            ? router.decideWithNames(sql, state, context.searchPath())
            : router.cachedDecision(sql, state, context.searchPath());
    if (decided == null) {
      // Pieces of a multi-statement Query decided before this one are counted again when it is
      // planned with analysis: rare (their first execution), and only in the counters.
      throw NotCached.INSTANCE;
    }
    UsageTracker tracker = usage.get();
    if (tracker != null) {
      record(tracker, decided.names(), client);
    }
    return decided.decision();
  }

  private static void record(UsageTracker tracker, NamesUsed names, ClientIdentity client) {
    for (String id : names.oldOf()) {
      tracker.record(id, NameUse.OLD, client.applicationName(), client.role(), client.address());
    }
    for (String id : names.newOf()) {
      tracker.record(id, NameUse.NEW, client.applicationName(), client.role(), client.address());
    }
  }

  /**
   * Whether this session's read of {@code migrationId} now takes the new path; counted.
   *
   * @param keyValue what the read binds to the migration's key column, or null
   */
  boolean readsNew(
      String migrationId, StateSnapshot state, SessionContext context, String keyValue) {
    Migration migration = migrations.get(migrationId);
    MigrationState ms = state.of(migrationId).orElse(null);
    boolean readsNew =
        migration != null && ms != null && context.readsNew(migration, ms, flags, keyValue);
    metrics.read(migrationId, readsNew);
    return readsNew;
  }

  private String replacement(Decision decision, StateSnapshot state, SessionContext context) {
    if (decision instanceof PassThrough) {
      return null;
    } else if (decision instanceof Rewrite rewrite) {
      return rewrite.sql();
    } else if (decision instanceof Route route) {
      StickyKey key = route.key();
      String keyValue = key == null || key.isParameter() ? null : key.literal();
      return readsNew(route.migrationId(), state, context, keyValue)
          ? route.newSql()
          : route.oldSql();
    } else if (decision instanceof Reject reject) {
      metrics.rejected(reject.sqlstate());
      return RejectStatement.sql(reject.sqlstate(), reject.message());
    }
    throw new IllegalStateException("unknown decision " + decision);
  }
}
