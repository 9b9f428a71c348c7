package io.turnout.admin;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.turnout.admin.api.AdminApi;
import io.turnout.admin.api.JobEndpoints;
import io.turnout.admin.control.JobRunner;
import io.turnout.admin.control.MigrationJobs;
import io.turnout.admin.control.PeriodicVerify;
import io.turnout.admin.control.Transitions;
import io.turnout.admin.ddl.DdlSettings;
import io.turnout.admin.store.StateFollower;
import io.turnout.admin.store.StateStore;
import io.turnout.admin.usage.UsageTracker;
import io.turnout.config.BackendUrl;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.state.StateSnapshot;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's control plane: the state store on the default backend (schema created or upgraded
 * at start), the state follower that keeps this instance's {@link StateSnapshot} current, and the
 * admin API when the plan has an {@code admin:} section. A state store unreachable at start is not
 * fatal: the instance serves pass-through (every migration planned) and the follower keeps trying;
 * health says so.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final HikariDataSource pool;
  private final StateStore store;
  private final StateFollower follower;
  private final AdminApi api;
  private final JobRunner jobs;
  private final UsageTracker usage;
  private final ScheduledExecutorService flusher;

  /** How often this instance's usage counts go to {@code turnout.usage}. */
  static final Duration USAGE_FLUSH = Duration.ofSeconds(10);

  /** How often each instance looks for a periodic verify that is due. */
  static final Duration VERIFY_CHECK = Duration.ofSeconds(5);

  /**
   * Between a state change and the DDL that follows it ({@code expanded} then the new columns,
   * {@code contracted} then the drop): time for statements in flight under the old state.
   */
  static final Duration DDL_GRACE = Duration.ofSeconds(2);

  private ControlPlane(
      HikariDataSource pool,
      StateStore store,
      StateFollower follower,
      AdminApi api,
      JobRunner jobs,
      UsageTracker usage,
      ScheduledExecutorService flusher) {
    this.pool = pool;
    this.store = store;
    this.follower = follower;
    this.api = api;
    this.jobs = jobs;
    this.usage = usage;
    this.flusher = flusher;
  }

  /** Starts the control plane of {@code config}; {@code onChange} sees every new snapshot. */
  public static ControlPlane start(
      TurnoutConfig config, String instanceId, Consumer<StateSnapshot> onChange) {
    BackendUrl url = config.defaultBackendUrl();
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("turnout-control");
    hc.setJdbcUrl(url.toJdbcUrl());
    hc.setDataSourceProperties(withApplicationName(url.jdbcProperties(), "turnout-control"));
    // API requests, two jobs (one connection each) and their transitions, and the usage flush.
    hc.setMaximumPoolSize(6);
    hc.setMinimumIdle(0);
    hc.setConnectionTimeout(5_000);
    // Start even when the database is down: the follower retries, changes answer 503 meanwhile.
    hc.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(hc);
    StateStore store = new StateStore(pool);
    try {
      store.initialize();
    } catch (SQLException e) {
      log.warn(
          "state store on {} unreachable at start ({}); statements on tables under migration are"
              + " refused (57P03) until it is back",
          url,
          e.getMessage());
    }
    Properties followerProps =
        withApplicationName(url.jdbcProperties(), "turnout-state-follower " + instanceId);
    followerProps.setProperty("connectTimeout", "5");
    followerProps.setProperty("socketTimeout", "30");
    StateFollower follower =
        new StateFollower(
                () -> connect(url, followerProps),
                config.migrations(),
                Duration.ofSeconds(5),
                onChange)
            .start();
    UsageTracker usage = new UsageTracker();
    ScheduledExecutorService flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-control-timer");
              t.setDaemon(true);
              return t;
            });
    flusher.scheduleWithFixedDelay(
        () -> flush(usage, pool),
        USAGE_FLUSH.toMillis(),
        USAGE_FLUSH.toMillis(),
        TimeUnit.MILLISECONDS);
    Transitions transitions =
        new Transitions(
            config.migrations(), store, Transitions.storeEvidence(store, Clock.systemUTC()));
    JobRunner jobs = new JobRunner(2, 8, 100, Clock.systemUTC());
    MigrationJobs migrationJobs =
        new MigrationJobs(
            transitions, pool, config.defaultBackend(), follower, DdlSettings.DEFAULT, DDL_GRACE);
    flusher.scheduleWithFixedDelay(
        new PeriodicVerify(
            config.migrations(), follower, transitions, migrationJobs, jobs, Clock.systemUTC()),
        VERIFY_CHECK.toMillis(),
        VERIFY_CHECK.toMillis(),
        TimeUnit.MILLISECONDS);
    AdminApi api = null;
    if (config.admin().enabled()) {
      try {
        api =
            new AdminApi(
                    config.admin(),
                    config.migrations(),
                    store,
                    follower,
                    transitions,
                    Optional.of(new JobEndpoints(migrationJobs, jobs)),
                    instanceId)
                .start();
      } catch (RuntimeException e) {
        jobs.close();
        flusher.shutdownNow();
        follower.close();
        pool.close();
        throw e;
      }
      log.info("admin API listening on {}", api.address());
    }
    return new ControlPlane(pool, store, follower, api, jobs, usage, flusher);
  }

  private static void flush(UsageTracker usage, HikariDataSource pool) {
    try (Connection c = pool.getConnection()) {
      usage.flush(c);
    } catch (SQLException | RuntimeException e) {
      // Counts stay in memory and go out with the next flush.
      log.warn("usage flush failed: {}", e.toString());
    }
  }

  private static Connection connect(BackendUrl url, Properties props) throws SQLException {
    return DriverManager.getConnection(url.toJdbcUrl(), props);
  }

  private static Properties withApplicationName(Properties p, String name) {
    Properties copy = new Properties();
    copy.putAll(p);
    copy.setProperty("ApplicationName", name);
    return copy;
  }

  public StateSnapshot snapshot() {
    return follower.snapshot();
  }

  public StateFollower follower() {
    return follower;
  }

  public StateStore store() {
    return store;
  }

  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(api).map(AdminApi::address);
  }

  /** The registry {@code GET /metrics} serves, when the admin API runs: the proxy adds to it. */
  public Optional<MeterRegistry> metrics() {
    return Optional.ofNullable(api).map(AdminApi::metrics);
  }

  /** Where the proxy records which names statements use (flushed every {@code USAGE_FLUSH}). */
  public UsageTracker usage() {
    return usage;
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    jobs.close();
    flusher.shutdownNow();
    flush(usage, pool);
    follower.close();
    pool.close();
  }
}
