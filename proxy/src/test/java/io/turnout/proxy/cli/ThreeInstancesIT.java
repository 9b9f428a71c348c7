package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.store.Change;
import io.turnout.admin.store.StateStore;
import io.turnout.config.state.Phase;
import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Three real {@code turnout serve} processes (the shaded jar, a JVM each, their own proxy and admin
 * ports) on one state store: every change, made through any instance's admin API or written to the
 * store directly (as a job does), is applied by all three; and when the state store is killed and
 * started again, the instances, never restarted themselves, report it down, then come back and
 * converge on the changes made after it.
 *
 * <p>The store is a server of this test's own (it is killed), so the test skips where the testkit
 * cannot kill and restart one. The instances' logs stay in {@code target/three-instances/}.
 */
class ThreeInstancesIT {
  private static final String TOKEN = "three-instances-token";
  private static final String ID = "rename-email";
  private static final Path JAR = Path.of("target", "turnout.jar");
  private static final Path LOGS = Path.of("target", "three-instances");

  /**
   * Below the followers' 5 s resync interval: a change that reached an instance only by the
   * periodic resync (its LISTEN lost) fails the test instead of passing late.
   */
  private static final Duration NOTIFIED = Duration.ofSeconds(4);

  /** The follower's reconnect backoff tops out at 5 s, plus jitter and a JVM under load. */
  private static final Duration RECONNECTED = Duration.ofSeconds(20);

  private static PostgresServer pg;
  private static StateStore store;
  private static final List<TurnoutProcess> instances = new ArrayList<>();

  @BeforeAll
  static void startStoreAndInstances() throws Exception {
    pg = PostgresProvider.start(PostgresOptions.named("three-instances"));
    Optional<String> why = pg.restartUnsupported();
    if (why.isPresent()) {
      pg.close();
      pg = null;
    }
    assumeTrue(why.isEmpty(), () -> "the state store must be killed and restarted: " + why.get());
    String db = pg.createDatabase("converge");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text, email_address text)");
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(db));
    ds.setUser(pg.superuser());
    if (pg.superuserPassword() != null) {
      ds.setPassword(pg.superuserPassword());
    }
    store = new StateStore(ds);
    Path plan = Files.createDirectories(LOGS).resolve("plan.yaml");
    Files.writeString(plan, plan(db), StandardCharsets.UTF_8);
    for (int i = 1; i <= 3; i++) {
      instances.add(TurnoutProcess.start(JAR, plan, LOGS, "instance-" + i, jvmOptions()));
    }
    for (TurnoutProcess t : instances) {
      t.awaitListening(true, Duration.ofSeconds(60));
    }
    for (TurnoutProcess t : instances) {
      awaitStatus(t, "/readyz", 200, Duration.ofSeconds(30));
    }
  }

  @AfterAll
  static void stopAll() {
    instances.forEach(TurnoutProcess::close);
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void threeInstances_convergeOnEveryChange_andResyncAfterStoreKilledAndRestarted()
      throws Exception {
    List<Long> pids = instances.stream().map(TurnoutProcess::pid).toList();

    // expand is a job's result, which the API does not take: store it as the job would.
    long v = storeChange(Phase.EXPANDED, Action.EXPAND);
    awaitApplied(v, NOTIFIED);
    for (int i = 0; i < 6; i++) {
      // Each instance in turn takes a change; all three must apply it.
      v = apiChange(instances.get(i % 3), i % 2 == 0 ? "dual_write_on" : "dual_write_off", v);
      awaitApplied(v, NOTIFIED);
    }
    v = storeChange(Phase.DUAL_WRITE, Action.DUAL_WRITE_ON);
    awaitApplied(v, NOTIFIED);
    long beforeKill = v;

    pg.kill();
    for (TurnoutProcess t : instances) {
      TurnoutProcess.Response ready = awaitStatus(t, "/readyz", 503, Duration.ofSeconds(15));
      assertThat(ready.body()).contains("\"state_store\":\"unreachable\"");
      TurnoutProcess.Response health = t.get("/healthz", null);
      assertThat(health.body()).contains("\"connected\":false").contains("\"status\":\"degraded\"");
      // The last proven state is kept while the store is away.
      assertThat(appliedVersion(t)).isEqualTo(beforeKill);
    }
    TurnoutProcess.Response refused =
        instances
            .get(0)
            .post(
                "/api/v1/migrations/" + ID + "/transitions",
                TOKEN,
                "{\"action\":\"dual_write_off\"}");
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("state_store_unavailable");
    Thread.sleep(2_000); // down for a while: the followers back off between attempts
    assertAlive(pids);

    pg.startAgain();
    assertThat(store.load().version())
        .as("the change acknowledged before the kill survives it")
        .isEqualTo(beforeKill);
    // Written while the followers are still backing off: they read it when they reconnect.
    v = storeChange(Phase.EXPANDED, Action.DUAL_WRITE_OFF);
    awaitApplied(v, RECONNECTED);
    for (TurnoutProcess t : instances) {
      awaitStatus(t, "/readyz", 200, RECONNECTED);
    }
    // And after the reconnect, changes arrive by notification again, through any instance.
    for (int i = 0; i < 3; i++) {
      v = apiChange(instances.get(2 - i), i % 2 == 0 ? "dual_write_on" : "dual_write_off", v);
      awaitApplied(v, NOTIFIED);
    }
    assertAlive(pids);
  }

  // ---------------------------------------------------------------- changes

  /** Writes the migration's next record straight to the store (which NOTIFYs); its version. */
  private static long storeChange(Phase phase, Action action) throws Exception {
    MigrationRecord from = store.load().record(ID);
    MigrationRecord to = from.withPhase(phase, Instant.now());
    return store
        .apply(new Change(from, to, action, "three-instances-it", Optional.empty(), "test"))
        .version();
  }

  /** A transition through one instance's admin API, based on {@code expected}; the new version. */
  private static long apiChange(TurnoutProcess via, String action, long expected) throws Exception {
    TurnoutProcess.Response r =
        via.post(
            "/api/v1/migrations/" + ID + "/transitions",
            TOKEN,
            "{\"action\":\"" + action + "\",\"expected_version\":" + expected + "}");
    assertThat(r.status()).as(via + ": " + r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"changed\":true");
    long version = r.longField("version").orElseThrow(); // the stored record's
    assertThat(version).isEqualTo(expected + 1);
    return version;
  }

  // ---------------------------------------------------------------- waiting

  /** Every instance's GET /api/v1/state reports {@code version} within {@code bound}. */
  private static void awaitApplied(long version, Duration bound) throws Exception {
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    for (TurnoutProcess t : instances) {
      long applied;
      while ((applied = appliedVersion(t)) != version) {
        if (System.nanoTime() > deadline) {
          fail(
              "%s applies version %d, not %d, %d ms after the change%n%s",
              t, applied, version, bound.toMillis(), t.stderrTail());
        }
        Thread.sleep(10);
      }
    }
  }

  private static long appliedVersion(TurnoutProcess t) throws Exception {
    TurnoutProcess.Response r = t.get("/api/v1/state", TOKEN);
    assertThat(r.status()).as(t + ": " + r.body()).isEqualTo(200);
    return r.longField("applied_version").orElseThrow();
  }

  private static TurnoutProcess.Response awaitStatus(
      TurnoutProcess t, String path, int status, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    TurnoutProcess.Response r;
    while ((r = t.get(path, null)).status() != status) {
      if (System.nanoTime() > deadline) {
        fail(
            "%s %s answers %d %s, not %d after %d ms%n%s",
            t, path, r.status(), r.body(), status, bound.toMillis(), t.stderrTail());
      }
      Thread.sleep(50);
    }
    return r;
  }

  private static void assertAlive(List<Long> pids) {
    for (int i = 0; i < instances.size(); i++) {
      TurnoutProcess t = instances.get(i);
      assertThat(t.isAlive()).as(t + " still running\n" + t.stderrTail()).isTrue();
      assertThat(t.pid()).as("never restarted").isEqualTo(pids.get(i));
    }
  }

  // ---------------------------------------------------------------- setup

  private static String plan(String db) throws SQLException {
    return ServePlan.of(
        "ThreeInstancesIT; every instance reads this same file",
        TOKEN,
        pg.url(db),
        1,
        ServePlan.renameColumn(ID, "public.users", "email", "email_address"));
  }

  /** Small JVMs that start fast: three of them share the machine with the test and PostgreSQL. */
  private static List<String> jvmOptions() {
    return List.of(
        "-Xmx192m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
  }
}
