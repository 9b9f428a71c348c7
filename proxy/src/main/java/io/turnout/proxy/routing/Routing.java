package io.turnout.proxy.routing;

import io.turnout.admin.flags.FlagProvider;
import io.turnout.admin.usage.UsageTracker;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the proxy's sessions share to apply migrations on the wire: the router, the state snapshot
 * and catalog the control plane publishes (swapped atomically, read without locks), the flag
 * provider, and the bounded executor on which statements are analysed, so parsing never runs on an
 * event loop. Thread-safe.
 */
public final class Routing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  /** SQLSTATE insufficient_resources: the analysis queue is full. */
  static final String OVERLOADED = "53000";

  /** SQLSTATE internal_error: deciding failed (a bug; logged with its stack). */
  static final String INTERNAL = "XX000";

  /** SQLSTATE cannot_connect_now: the migration state is not known yet. */
  static final String STATE_UNKNOWN = "57P03";

  private final Router router;
  private final StatementPlanner planner;
  private final ThreadPoolExecutor analysis;
  private final WireMetrics metrics;
  private volatile StateSnapshot state;
  private volatile Catalog catalog = Catalog.EMPTY;

  /**
   * False until the control plane delivers its first snapshot. Meanwhile the stored phase may be
   * {@code dual_write}, so a write let through unchanged could skip its dual-write: statements on
   * managed tables are refused instead (fail safe), everything else passes.
   */
  private volatile boolean stateKnown;

  /** Where statements' name uses are counted; none until the control plane hands its tracker. */
  private volatile UsageTracker usage;

  /**
   * @param threads analysis threads (parsing is CPU work: about one per core)
   * @param queue statements that may wait for analysis before new ones are refused (53000)
   */
  public Routing(List<? extends Migration> plan, FlagProvider flags, int threads, int queue) {
    this.router = new Router(plan, () -> catalog);
    Map<String, Migration> byId = new LinkedHashMap<>();
    for (Migration m : plan) {
      byId.put(m.id(), m);
    }
    this.state = StateSnapshot.initial(plan);
    AtomicInteger n = new AtomicInteger();
    this.analysis =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "turnout-analysis-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.metrics = new WireMetrics(plan, router.stats(), analysis);
    this.planner = new StatementPlanner(router, flags, Map.copyOf(byId), metrics, this::usage);
  }

  /** The control plane published a new state. */
  public void apply(StateSnapshot snapshot) {
    state = snapshot;
    stateKnown = true;
  }

  /** The catalog decisions are made with. */
  public Catalog catalog() {
    return catalog;
  }

  /** A new catalog was loaded (at start, after DDL). */
  public void catalog(Catalog loaded) {
    catalog = loaded;
  }

  public StateSnapshot state() {
    return state;
  }

  public Router router() {
    return router;
  }

  public WireMetrics metrics() {
    return metrics;
  }

  /** From now on, count which names statements use in {@code tracker} ({@code turnout usage}). */
  public void recordUsageIn(UsageTracker tracker) {
    usage = tracker;
  }

  UsageTracker usage() {
    return usage;
  }

  /**
   * The first check on the event loop, before the Query's text is even decoded: false while the
   * state is known and no migration is active, so every statement passes as is.
   */
  public boolean mayNeedPlanning(StateSnapshot snapshot) {
    return !stateKnown || router.anyActive(snapshot);
  }

  /**
   * The second check on the event loop: can this Query need anything? False for statements naming
   * no managed table (no allocation).
   */
  public boolean mayRoute(String query, StateSnapshot snapshot) {
    return stateKnown ? router.mayRoute(query, snapshot) : router.mayName(query);
  }

  /**
   * Plans a simple-protocol Query, at once when its decisions are cached, else off the event loop:
   * completes with the text to send instead, or null to send it unchanged. Never completes
   * exceptionally: a failure becomes a refusal of the whole Query, so nothing of it runs
   * half-decided.
   */
  public CompletableFuture<String> planQuery(
      String query, StateSnapshot snapshot, SessionContext context, ClientIdentity client) {
    return submit(
        analyse -> planner.plan(query, snapshot, context, client, analyse), refusal -> refusal);
  }

  /**
   * Plans one extended-protocol statement (the text of a Parse) as {@link #planQuery}: the text to
   * parse instead (a refusal marked as one), or null for unchanged.
   */
  public CompletableFuture<PlannedStatement> planParse(
      String sql,
      StateSnapshot snapshot,
      SessionContext context,
      ClientIdentity client,
      boolean named) {
    return submit(
        analyse -> planner.planParse(sql, snapshot, context, client, named, analyse),
        refusal -> new PlannedStatement(refusal, true));
  }

  /**
   * Plans from cached decisions at once (no parsing: fine on the event loop, and the common case
   * once a workload is warm), else on the analysis executor.
   *
   * @param plan plans with analysis (true) or only from cached decisions (false, throwing {@link
   *     StatementPlanner.NotCached} when that is not enough)
   */
  private <T> CompletableFuture<T> submit(Function<Boolean, T> plan, Function<String, T> refused) {
    if (!stateKnown) {
      return CompletableFuture.completedFuture(
          refused.apply(
              refusal(
                  STATE_UNKNOWN,
                  "Turnout has not loaded the migration state yet (is the state store reachable?);"
                      + " statements on tables under migration are refused until it has")));
    }
    long start = System.nanoTime();
    try {
      T cached = plan.apply(false);
      metrics.planned(start);
      return CompletableFuture.completedFuture(cached);
    } catch (StatementPlanner.NotCached e) {
      // analysed below
    }
    try {
      return CompletableFuture.supplyAsync(() -> plan.apply(true), analysis)
          .exceptionally(
              e -> {
                log.warn("planning a statement failed; refusing it", e);
                return refused.apply(
                    refusal(INTERNAL, "Turnout could not decide this statement: " + e.getCause()));
              })
          .whenComplete((planned, e) -> metrics.planned(start));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(
          refused.apply(
              refusal(
                  OVERLOADED,
                  "Turnout's statement analysis is overloaded ("
                      + analysis.getQueue().size()
                      + " waiting); try again")));
    }
  }

  /**
   * What a session's decisions depend on: the phases in {@code snapshot} and the session's search
   * path (PostgreSQL too re-analyses a prepared statement when search_path changed). Equal ones
   * decide every statement alike.
   */
  public String decisionFingerprint(StateSnapshot snapshot, SessionContext context) {
    String phases = router.decisionFingerprint(snapshot);
    List<String> path = context.searchPath();
    return path == null ? phases : phases + "|" + path;
  }

  /**
   * Whether this session's execution of a routed read of {@code migrationId} (a statement prepared
   * both ways) takes the new path now. On the event loop: flags are evaluated in memory.
   *
   * @param keyValue what the execution binds to the migration's key column, or null
   */
  public boolean readsNew(String migrationId, SessionContext context, String keyValue) {
    return planner.readsNew(migrationId, state, context, keyValue);
  }

  /** A named statement prepared under other phases was re-prepared at its Bind. */
  public void reprepared() {
    metrics.reprepared();
  }

  /** The statement that fails with {@code sqlstate} and {@code message}, counted as a refusal. */
  public String refusal(String sqlstate, String message) {
    metrics.rejected(sqlstate);
    return RejectStatement.sql(sqlstate, message);
  }

  @Override
  public void close() {
    analysis.shutdownNow();
  }
}
