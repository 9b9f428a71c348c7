package io.turnout.proxy.routing;

import io.turnout.admin.ControlPlane;
import io.turnout.admin.flags.FlagProvider;
import io.turnout.admin.flags.FlagProviders;
import io.turnout.config.BackendUrl;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.router.route.Planner;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts behind {@link Routing} for {@code serve} and {@code demo}: the flag provider,
 * and the catalog, loaded at start and again after every state change (an expand adds columns), on
 * a thread of its own, coalesced, never on an event loop. {@link #accept} is what the control plane
 * calls with each new snapshot; {@link #attachTo} hands the wire's metrics and usage to it.
 */
public final class WireMigrations implements AutoCloseable, Consumer<StateSnapshot> {
  private static final Logger log = LoggerFactory.getLogger(WireMigrations.class);

  private final List<Migration> plan;
  private final Routing routing;
  private final FlagProvider flags;
  private final BackendUrl backend;
  private final ExecutorService catalogLoads;
  private final AtomicBoolean loadQueued = new AtomicBoolean();

  private WireMigrations(TurnoutConfig config) {
    this.plan = List.copyOf(config.migrations());
    this.flags = FlagProviders.create(config.flags());
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.routing = new Routing(config.migrations(), flags, threads, 1024);
    this.backend = config.defaultBackendUrl();
    // One thread, and at most one load waiting: a burst of changes costs one reload.
    this.catalogLoads =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(1),
            r -> {
              Thread t = new Thread(r, "turnout-catalog");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  /** For a plan with migrations; empty for a plain proxy. Loads the catalog before returning. */
  public static Optional<WireMigrations> of(TurnoutConfig config) {
    if (config.migrations().isEmpty()) {
      return Optional.empty();
    }
    WireMigrations w = new WireMigrations(config);
    w.loadCatalog();
    return Optional.of(w);
  }

  public Routing routing() {
    return routing;
  }

  /**
   * The control plane started: the wire's meters join its {@code /metrics}, and statements' name
   * uses are counted in its usage tracker.
   */
  public void attachTo(ControlPlane control) {
    control.metrics().ifPresent(routing.metrics()::publishTo);
    routing.recordUsageIn(control.usage());
  }

  /**
   * A new state snapshot: act on it at once, then reload the catalog behind it — except when it
   * starts dual-writing columns the catalog does not know yet (expand adds them after {@code
   * expanded} is published): then the catalog is loaded first, since writes decided without those
   * columns would be refused.
   */
  @Override
  public void accept(StateSnapshot snapshot) {
    if (dualWritesUnknownColumns(snapshot)) {
      loadCatalog();
    }
    routing.apply(snapshot);
    if (loadQueued.compareAndSet(false, true)) {
      catalogLoads.execute(
          () -> {
            loadQueued.set(false);
            loadCatalog();
          });
    }
  }

  private boolean dualWritesUnknownColumns(StateSnapshot snapshot) {
    Catalog catalog = routing.catalog();
    for (Migration m : plan) {
      MigrationState s = snapshot.migrations().get(m.id());
      if (s == null || s.phase().compareTo(Phase.DUAL_WRITE) < 0 || !Planner.isActive(s.phase())) {
        continue;
      }
      Optional<TableInfo> table = catalog.table(m.table());
      for (String column : m.newColumns()) {
        if (table.isEmpty() || table.get().column(column).isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private void loadCatalog() {
    Properties props = backend.jdbcProperties();
    props.setProperty("ApplicationName", "turnout-catalog");
    props.setProperty("connectTimeout", "5");
    try (Connection c = DriverManager.getConnection(backend.toJdbcUrl(), props)) {
      routing.catalog(CatalogLoader.load(c));
    } catch (SQLException e) {
      log.warn("catalog of {} not loaded ({}); keeping the last one", backend, e.getMessage());
    }
  }

  @Override
  public void close() {
    catalogLoads.shutdownNow();
    routing.close();
    flags.close();
  }
}
