package io.turnout.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.TableName;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.lexical.PreFilter;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementSplitter;
import io.turnout.router.rewrite.ColumnPlan;
import io.turnout.router.rewrite.Volatility;
import io.turnout.router.route.ManagedViews;
import io.turnout.router.route.NamesUsed;
import io.turnout.router.route.Planner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides what to send to PostgreSQL for one statement, given the migration plans, the catalog and
 * the migrations' state: {@link PassThrough}, {@link Rewrite}, {@link Route} or {@link Reject}.
 *
 * <p>The request path is: is any migration active? does the text contain a managed table's name, or
 * the name of a view over one (substring scans that allocate nothing)? is the decision cached under
 * (statement text, phase fingerprint, catalog)? Only then is the statement tokenised, parsed and
 * rewritten. Pure and thread-safe; the catalog supplier must return an immutable snapshot without
 * I/O.
 *
 * <p>The cache is keyed by what a decision depends on, not by the state's version: the phases of
 * the plan's migrations and, when two or more ramp their reads at once, the order of their read
 * percentages (a {@link Route} names the one with the lowest). Moving a read or shadow percentage
 * therefore keeps the cached decisions; the proxy applies the percentage per session. The cache is
 * bounded by an estimate of the bytes it holds (statement and decision texts).
 */
public final class Router {
  /** Default bound of the decision cache, in bytes (estimated). */
  public static final long DEFAULT_CACHE_BYTES = 32L * 1024 * 1024;

  /** Estimated bytes per cached entry besides its strings: key, outcome, decision, cache node. */
  static final int ENTRY_OVERHEAD = 200;

  /** {@code searchPath} is null for the catalog's own. */
  private record Key(String sql, String phases, int catalogGeneration, List<String> searchPath) {}

  private final List<ColumnPlan> plans;
  private final Supplier<Catalog> catalog;
  private final PreFilter filter;
  private final Planner planner;
  private final Cache<Key, Cached> cache;
  private final RouterStats stats = new RouterStats();
  private final ConcurrentHashMap<String, Boolean> stableDefaults = new ConcurrentHashMap<>();

  /** A catalog snapshot, its generation (the cache key part) and its views over managed tables. */
  private record CatalogMemo(Catalog catalog, int generation, ManagedViews views) {}

  private volatile CatalogMemo catalogMemo;

  /**
   * @param migrations the plan's migrations, in plan order
   * @param catalog returns the current catalog snapshot (refreshed off the request path)
   * @throws IllegalArgumentException when a plan expression does not parse
   */
  public Router(List<? extends Migration> migrations, Supplier<Catalog> catalog) {
    this(migrations, catalog, DEFAULT_CACHE_BYTES);
  }

  /**
   * @param cacheBytes bound of the decision cache in bytes, as estimated from the statement and
   *     decision texts (two bytes a character) plus a fixed overhead per entry
   */
  public Router(List<? extends Migration> migrations, Supplier<Catalog> catalog, long cacheBytes) {
    Objects.requireNonNull(catalog, "catalog");
    List<ColumnPlan> ps = new ArrayList<>();
    List<TableName> tables = new ArrayList<>();
    for (Migration m : migrations) {
      ColumnPlan p = ColumnPlan.of(m);
      ps.add(p);
      tables.add(m.table());
    }
    this.plans = List.copyOf(ps);
    this.catalog = catalog;
    this.filter = new PreFilter(tables);
    this.planner = new Planner(plans, this::isStableDefault);
    this.cache = Caffeine.newBuilder().maximumWeight(cacheBytes).weigher(Router::weigh).build();
  }

  /**
   * The cheap first check, safe on an event loop: false when no migration is active or the text
   * names no managed table and no view over one, so {@link #decide} would pass it through (for a
   * multi-statement string too). Allocates nothing, except once per catalog snapshot, when the
   * catalog's views over managed tables are indexed.
   */
  public boolean mayRoute(String sql, StateSnapshot state) {
    return anyActive(state) && mayName(sql);
  }

  /**
   * Whether the text may name a managed table or a view over one, whatever the state. Allocates
   * nothing.
   */
  public boolean mayName(String sql) {
    return filter.mayTouch(sql) || catalogMemo(catalog.get()).views.mayTouch(sql);
  }

  /** Decides for one statement (not a multi-statement string: {@link #split} it first). */
  public Decision decide(String sql, StateSnapshot state) {
    return decideWithNames(sql, state).decision();
  }

  /** A decision and which migrations' old and new names the statement uses. */
  public record Decided(Decision decision, NamesUsed names) {
    static final Decided PASS = new Decided(PassThrough.INSTANCE, NamesUsed.NONE);
  }

  /** What the router keeps per statement: the planner's outcome and the names the text uses. */
  private record Cached(Planner.Outcome outcome, Decided decided) {}

  /**
   * Like {@link #decide}, with the names the statement uses, for {@code turnout usage} (cached with
   * the decision: a repeated statement costs nothing more).
   */
  public Decided decideWithNames(String sql, StateSnapshot state) {
    return decideWithNames(sql, state, null);
  }

  /**
   * Like {@link #decideWithNames(String, StateSnapshot)}, resolving unqualified names through
   * {@code searchPath} (a session's, as PostgreSQL would for it) instead of the catalog's; null for
   * the catalog's.
   */
  public Decided decideWithNames(String sql, StateSnapshot state, List<String> searchPath) {
    return decide(sql, state, searchPath, true);
  }

  /**
   * The decision {@link #decideWithNames(String, StateSnapshot, List)} would give, if it needs no
   * analysis (cached, or a pass-through); null otherwise. Scans the text but never parses it, so it
   * is cheap enough for an event loop.
   */
  public Decided cachedDecision(String sql, StateSnapshot state, List<String> searchPath) {
    return decide(sql, state, searchPath, false);
  }

  private Decided decide(
      String sql, StateSnapshot state, List<String> searchPath, boolean analyse) {
    if (!anyActive(state)) {
      stats.passThrough.increment();
      return Decided.PASS;
    }
    Catalog cat = catalog.get();
    CatalogMemo cm = catalogMemo(cat);
    if (!filter.mayTouch(sql) && !cm.views.mayTouch(sql)) {
      stats.passThrough.increment();
      return Decided.PASS;
    }
    String phases = memo(state).phases;
    Key exact = new Key(sql, phases, cm.generation, searchPath);
    Cached c = cache.getIfPresent(exact);
    if (c != null) {
      stats.cacheHits.increment();
    } else {
      SqlTokens tokens = SqlTokens.scan(sql);
      LiteralSlots slots = LiteralSlots.of(tokens);
      if (slots != null) {
        Key shaped = new Key(slots.shape(), phases, cm.generation, searchPath);
        Cached shape = cached(shaped, slots.shape(), null, state, cat, cm, searchPath, analyse);
        if (shape == null) {
          return null;
        }
        Planner.Outcome o = shape.outcome();
        // What the shape could not decide (a value where a placeholder does not parse), the text
        // itself is decided.
        if (!(o.decision() instanceof Reject) && !o.unanalysedRead()) {
          Decision restored = slots.restore(o.decision());
          c =
              new Cached(
                  new Planner.Outcome(restored, false, o.reason()),
                  new Decided(restored, shape.decided().names()));
        }
      }
      if (c == null) {
        c = cached(exact, sql, tokens, state, cat, cm, searchPath, analyse);
        if (c == null) {
          return null;
        }
      }
    }
    stats.count(c.outcome().decision(), c.outcome().unanalysedRead());
    return c.decided();
  }

  /**
   * The cached decision of {@code key} (the text {@code sql}), analysed once on a miss; null on a
   * miss when not to {@code analyse}.
   */
  private Cached cached(
      Key key,
      String sql,
      SqlTokens scanned,
      StateSnapshot state,
      Catalog cat,
      CatalogMemo cm,
      List<String> searchPath,
      boolean analyse) {
    Cached c = cache.getIfPresent(key);
    if (c != null) {
      stats.cacheHits.increment();
      return c;
    }
    if (!analyse) {
      return null;
    }
    // Concurrent misses of one key wait for a single analysis.
    boolean[] analysed = new boolean[1];
    c =
        cache.get(
            key,
            k -> {
              analysed[0] = true;
              stats.analyses.increment();
              SqlTokens tokens = scanned != null ? scanned : SqlTokens.scan(sql);
              Catalog seen = searchPath == null ? cat : cat.withSearchPath(searchPath);
              Planner.Outcome o = planner.decide(sql, tokens, filter, cm.views, state, seen);
              return new Cached(o, new Decided(o.decision(), NamesUsed.of(tokens, plans)));
            });
    if (!analysed[0]) {
      stats.cacheHits.increment();
    }
    return c;
  }

  /**
   * Like {@link #decide} but uncached and with the reason a statement went down the unanalysable
   * path, for {@code turnout explain}.
   */
  public Planner.Outcome explain(String sql, StateSnapshot state) {
    Catalog cat = catalog.get();
    CatalogMemo cm = catalogMemo(cat);
    if (!filter.mayTouch(sql) && !cm.views.mayTouch(sql)) {
      return new Planner.Outcome(PassThrough.INSTANCE, false, null);
    }
    return planner.decide(sql, SqlTokens.scan(sql), filter, cm.views, state, cat);
  }

  /**
   * Splits a simple-protocol Query string into its statements at top-level semicolons (strings,
   * quoted identifiers, dollar quotes, comments and E'' strings respected), so each can be decided
   * on its own.
   */
  public static List<StatementSplitter.Piece> split(String query) {
    return StatementSplitter.split(query);
  }

  public RouterStats stats() {
    return stats;
  }

  public List<ColumnPlan> plans() {
    return plans;
  }

  /** True when some migration is between {@code expanded} and {@code writes_new}. Cheap. */
  public boolean anyActive(StateSnapshot state) {
    return memo(state).active;
  }

  /**
   * What a snapshot means to the router, computed once per snapshot object (the same one is passed
   * for every statement until the state changes).
   */
  /**
   * What decisions depend on in {@code state} (see {@link #phaseFingerprint}): two snapshots with
   * the same one decide every statement alike. Cheap for the snapshot last asked about.
   */
  public String decisionFingerprint(StateSnapshot state) {
    return memo(state).phases;
  }

  private StateMemo memo(StateSnapshot state) {
    StateMemo memo = stateMemo;
    if (memo != null && memo.state == state) {
      return memo;
    }
    boolean active = false;
    for (MigrationState s : state.migrations().values()) {
      if (Planner.isActive(s.phase())) {
        active = true;
        break;
      }
    }
    memo = new StateMemo(state, active, phaseFingerprint(state));
    stateMemo = memo;
    return memo;
  }

  /**
   * Everything of a snapshot that a decision depends on: each plan migration's phase, in plan
   * order, then — when two or more are in {@code reads} — their plan positions ordered by read
   * percentage (ties in plan order), because a {@link Route} names the ramping migration with the
   * lowest percentage. Nothing else (version, the percentages' values, shadow percentages) goes in,
   * so a ramp step keeps the cached decisions.
   */
  private String phaseFingerprint(StateSnapshot state) {
    StringBuilder b = new StringBuilder(plans.size() + 8);
    List<Integer> ramping = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      Phase phase = state.phase(plans.get(i).id());
      b.append((char) ('A' + phase.ordinal()));
      if (phase == Phase.READS) {
        ramping.add(i);
      }
    }
    if (ramping.size() > 1) {
      ramping.sort(
          Comparator.comparingInt(
                  (Integer i) -> state.of(plans.get(i).id()).orElseThrow().readPercent())
              .thenComparingInt(i -> i));
      b.append('/');
      for (int i : ramping) {
        b.append(i).append(',');
      }
    }
    return b.toString();
  }

  private record StateMemo(StateSnapshot state, boolean active, String phases) {}

  private volatile StateMemo stateMemo;

  private static int weigh(Key key, Cached cached) {
    Planner.Outcome outcome = cached.outcome();
    long chars = key.sql().length() + key.phases().length();
    if (key.searchPath() != null) {
      chars += key.searchPath().toString().length();
    }
    Decision d = outcome.decision();
    if (d instanceof Rewrite r) {
      chars += r.sql().length();
    } else if (d instanceof Route r) {
      chars += r.oldSql().length() + r.newSql().length();
    } else if (d instanceof Reject r) {
      chars += r.message().length();
    }
    if (outcome.reason() != null) {
      chars += outcome.reason().length();
    }
    return (int) Math.min(Integer.MAX_VALUE, 2 * chars + ENTRY_OVERHEAD);
  }

  /** The memo of {@code cat}; a new snapshot object gets the next generation. */
  private CatalogMemo catalogMemo(Catalog cat) {
    CatalogMemo m = catalogMemo;
    if (m != null && m.catalog == cat) {
      return m;
    }
    synchronized (this) {
      m = catalogMemo;
      if (m == null || m.catalog != cat) {
        m = new CatalogMemo(cat, m == null ? 1 : m.generation + 1, ManagedViews.of(cat, plans));
        catalogMemo = m;
      }
      return m;
    }
  }

  /**
   * The cache's weighted size after pending maintenance, or -1 when it is not bounded by weight.
   */
  long cachedWeight() {
    cache.cleanUp();
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(-1)).orElse(-1L);
  }

  private boolean isStableDefault(String expression) {
    return stableDefaults.computeIfAbsent(expression, Volatility::isStableText);
  }
}
