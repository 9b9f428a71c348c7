package io.turnout.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.TableName;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.lexical.PreFilter;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementSplitter;
import io.turnout.router.rewrite.ColumnPlan;
import io.turnout.router.rewrite.Volatility;
import io.turnout.router.route.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides what to send to PostgreSQL for one statement, given the migration plans, the catalog and
 * the migrations' state: {@link PassThrough}, {@link Rewrite}, {@link Route} or {@link Reject}.
 *
 * <p>The request path is: is any migration active? does the text contain a managed table's name (a
 * substring scan that allocates nothing)? is the decision cached under (statement text, state
 * version, catalog)? Only then is the statement tokenised, parsed and rewritten. Pure and
 * thread-safe; the catalog supplier must return an immutable snapshot without I/O.
 */
public final class Router {
  private record Key(String sql, long stateVersion, int catalogGeneration) {}

  private final List<ColumnPlan> plans;
  private final Supplier<Catalog> catalog;
  private final PreFilter filter;
  private final Planner planner;
  private final Cache<Key, Planner.Outcome> cache;
  private final RouterStats stats = new RouterStats();
  private final ConcurrentHashMap<String, Boolean> stableDefaults = new ConcurrentHashMap<>();

  private volatile Catalog lastCatalog;
  private volatile int catalogGeneration;

  /**
   * @param migrations the plan's migrations, in plan order
   * @param catalog returns the current catalog snapshot (refreshed off the request path)
   * @throws IllegalArgumentException when a plan expression does not parse
   */
  public Router(List<? extends Migration> migrations, Supplier<Catalog> catalog) {
    this(migrations, catalog, 10_000);
  }

  public Router(List<? extends Migration> migrations, Supplier<Catalog> catalog, long cacheSize) {
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
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  /**
   * The cheap first check, safe on an event loop: false when no migration is active or the text
   * names no managed table, so {@link #decide} would pass it through (for a multi-statement string
   * too). Allocates nothing.
   */
  public boolean mayRoute(String sql, StateSnapshot state) {
    return anyActive(state) && filter.mayTouch(sql);
  }

  /** Whether the text may name a managed table, whatever the state. Allocates nothing. */
  public boolean mayName(String sql) {
    return filter.mayTouch(sql);
  }

  /** Decides for one statement (not a multi-statement string: {@link #split} it first). */
  public Decision decide(String sql, StateSnapshot state) {
    if (!anyActive(state) || !filter.mayTouch(sql)) {
      stats.passThrough.increment();
      return PassThrough.INSTANCE;
    }
    Catalog cat = catalog.get();
    Key key = new Key(sql, state.version(), generation(cat));
    Planner.Outcome o = cache.getIfPresent(key);
    if (o == null) {
      stats.analyses.increment();
      o = planner.decide(sql, SqlTokens.scan(sql), filter, state, cat);
      cache.put(key, o);
    } else {
      stats.cacheHits.increment();
    }
    stats.count(o.decision(), o.unanalysedRead());
    return o.decision();
  }

  /**
   * Like {@link #decide} but uncached and with the reason a statement went down the unanalysable
   * path, for {@code turnout explain}.
   */
  public Planner.Outcome explain(String sql, StateSnapshot state) {
    if (!filter.mayTouch(sql)) {
      return new Planner.Outcome(PassThrough.INSTANCE, false, null);
    }
    return planner.decide(sql, SqlTokens.scan(sql), filter, state, catalog.get());
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
    // The same snapshot object is passed for every statement until the state changes.
    ActiveMemo memo = activeMemo;
    if (memo != null && memo.state == state) {
      return memo.active;
    }
    boolean active = false;
    for (MigrationState s : state.migrations().values()) {
      if (Planner.isActive(s.phase())) {
        active = true;
        break;
      }
    }
    activeMemo = new ActiveMemo(state, active);
    return active;
  }

  private record ActiveMemo(StateSnapshot state, boolean active) {}

  private volatile ActiveMemo activeMemo;

  private int generation(Catalog cat) {
    if (cat != lastCatalog) {
      synchronized (this) {
        if (cat != lastCatalog) {
          lastCatalog = cat;
          catalogGeneration++;
        }
      }
    }
    return catalogGeneration;
  }

  private boolean isStableDefault(String expression) {
    return stableDefaults.computeIfAbsent(expression, Volatility::isStableText);
  }
}
