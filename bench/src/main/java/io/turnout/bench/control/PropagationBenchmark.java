package io.turnout.bench.control;

import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.store.Change;
import io.turnout.admin.store.StateFollower;
import io.turnout.admin.store.StateStore;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.Phase;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * State propagation, the time from a change call returning to the new version being applied on
 * <b>every</b> instance, measured two ways on one state store:
 *
 * <ul>
 *   <li><b>processes</b> (when given {@code turnout.jar}): N real {@code turnout serve} processes;
 *       each change is a transition through instance 1's admin API, and each instance's applied
 *       version is read with a long poll ({@code GET /api/v1/state?wait_version=V}) sent before the
 *       change, so an instance's time is when its answer arrives;
 *   <li><b>followers</b>: N state followers in this JVM (each its own LISTEN connection and thread,
 *       as each instance runs one), changed by {@link StateStore#apply}; no HTTP and no process
 *       boundary, so it shows what the propagation itself costs.
 * </ul>
 *
 * Prints a Markdown section on stdout (bench/propagation.sh puts it in BENCHMARKS.md).
 *
 * <p>Usage: {@code PropagationBenchmark [changes] [instances] [turnout.jar log-dir]} (defaults 300,
 * 3; without a jar only the followers are measured).
 */
public final class PropagationBenchmark {
  private static final int WARMUP = 50;
  private static final String TOKEN = "propagation-bench";
  private static final RenameColumn PLAN =
      new RenameColumn(
          "bench-rename",
          "primary",
          new TableName("public", "t"),
          "a",
          "b",
          ReadPolicy.DEFAULT,
          ShadowPolicy.DEFAULT,
          UnanalysablePolicy.DEFAULT);

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Optional<Path> jar = args.length > 3 ? Optional.of(Path.of(args[2])) : Optional.empty();
    PostgresServer pg = PostgresProvider.shared();
    long[] processes = null;
    if (jar.isPresent()) {
      processes = processes(pg, changes, instances, jar.get(), Path.of(args[3]));
    }
    long[] followers = followers(pg, changes, instances);
    print(pg, changes, instances, processes, followers);
  }

  // ---------------------------------------------------------------- processes

  private static long[] processes(
      PostgresServer pg, int changes, int instances, Path jar, Path logDir) throws Exception {
    String db = pg.createDatabase("propagation_serve");
    StateStore store = store(pg, db);
    store.initialize();
    try (Connection c = connect(pg, db);
        Statement s = c.createStatement()) {
      // The table as expand leaves it: dual-write on needs the new column.
      s.execute("CREATE TABLE t (id bigint PRIMARY KEY, a text, b text)");
    }
    Files.createDirectories(logDir);
    Path plan = logDir.resolve("plan.yaml");
    Files.writeString(plan, plan(pg, db), StandardCharsets.UTF_8);
    List<TurnoutProcess> serve = new ArrayList<>();
    try {
      for (int i = 1; i <= instances; i++) {
        serve.add(
            TurnoutProcess.start(
                jar, plan, logDir, "instance-" + i, List.of("-Xmx256m", "-XX:+UseSerialGC")));
      }
      for (TurnoutProcess t : serve) {
        t.awaitListening(true, Duration.ofSeconds(60));
      }
      // dual_write_on / dual_write_off need expanded, a job's result the API does not take.
      MigrationRecord r = store.load().record(PLAN.id());
      long version =
          store
              .apply(
                  new Change(
                      r,
                      r.withPhase(Phase.EXPANDED, Instant.now()),
                      Action.EXPAND,
                      "bench",
                      Optional.empty(),
                      "propagation benchmark"))
              .version();
      awaitAll(serve, version);
      System.err.printf(
          "propagation: %d turnout serve processes up, logs in %s%n", instances, logDir);
      long[] micros = new long[changes];
      for (int i = -WARMUP; i < changes; i++) {
        long next = version + 1;
        List<CompletableFuture<Long>> applied = new ArrayList<>();
        for (TurnoutProcess t : serve) {
          applied.add(
              t.getAsync("/api/v1/state?wait_version=" + next + "&timeout_ms=10000", TOKEN)
                  .thenApply(resp -> appliedAt(t, resp, next)));
        }
        String action = Math.floorMod(i, 2) == 0 ? "dual_write_on" : "dual_write_off";
        TurnoutProcess.Response resp =
            serve
                .get(0)
                .post(
                    "/api/v1/migrations/" + PLAN.id() + "/transitions",
                    TOKEN,
                    "{\"action\":\"" + action + "\",\"expected_version\":" + version + "}");
        long returned = System.nanoTime();
        if (resp.status() != 200 || resp.longField("version").orElse(-1) != next) {
          throw new IllegalStateException(
              action + " answered " + resp.status() + ": " + resp.body());
        }
        long last = returned;
        for (CompletableFuture<Long> f : applied) {
          last = Math.max(last, f.get(15, TimeUnit.SECONDS));
        }
        version = next;
        if (i >= 0) {
          // An instance may apply the change before the API's answer reaches us: that is 0.
          micros[i] = (last - returned) / 1_000;
        }
      }
      return micros;
    } finally {
      serve.forEach(TurnoutProcess::close);
    }
  }

  /** When an instance's long poll came back with the version (nanoTime), or why it did not. */
  private static long appliedAt(TurnoutProcess t, TurnoutProcess.Response r, long version) {
    long at = System.nanoTime();
    if (r.status() != 200 || r.longField("applied_version").orElse(-1) < version) {
      throw new IllegalStateException(
          t + " did not apply version " + version + " in 10 s: " + r.status() + " " + r.body());
    }
    return at;
  }

  private static void awaitAll(List<TurnoutProcess> serve, long version) throws Exception {
    for (TurnoutProcess t : serve) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        TurnoutProcess.Response r =
            t.get("/api/v1/state?wait_version=" + version + "&timeout_ms=5000", TOKEN);
        if (r.status() == 200 && r.longField("applied_version").orElse(-1) >= version) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              t + " never applied version " + version + "\n" + t.stderrTail());
        }
      }
    }
  }

  private static String plan(PostgresServer pg, String db) {
    return ServePlan.of(
        "PropagationBenchmark; every instance reads this file",
        TOKEN,
        pg.url(db),
        1,
        ServePlan.renameColumn(PLAN.id(), PLAN.table().qualified(), "a", "b"));
  }

  // ---------------------------------------------------------------- followers

  private static long[] followers(PostgresServer pg, int changes, int instances) throws Exception {
    String db = pg.createDatabase("propagation");
    StateStore store = store(pg, db);
    store.initialize();
    List<StateFollower> followers = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      followers.add(
          new StateFollower(() -> connect(pg, db), List.of(PLAN), Duration.ofSeconds(30), s -> {})
              .start());
    }
    MigrationRecord r = store.load().record(PLAN.id());
    r = store.apply(change(r, r.withPhase(Phase.READS, Instant.now()).withReadPercent(1)));
    for (StateFollower f : followers) {
      f.awaitVersion(r.version(), Duration.ofSeconds(30));
    }
    long[] micros = new long[changes];
    for (int i = -WARMUP; i < changes; i++) {
      int percent = 1 + Math.floorMod(i, 99);
      MigrationRecord next =
          r.withReadPercent(percent == r.readPercent() ? percent % 99 + 1 : percent);
      r = store.apply(change(r, next));
      long returned = System.nanoTime();
      for (StateFollower f : followers) {
        if (!f.awaitVersion(r.version(), Duration.ofSeconds(30))) {
          throw new IllegalStateException("version " + r.version() + " not applied in 30 s");
        }
      }
      long all = System.nanoTime() - returned;
      if (i >= 0) {
        micros[i] = all / 1_000;
      }
    }
    followers.forEach(StateFollower::close);
    return micros;
  }

  private static Change change(MigrationRecord from, MigrationRecord to) {
    return new Change(from, to, Action.READS, "bench", Optional.empty(), "propagation benchmark");
  }

  // ---------------------------------------------------------------- report

  private static void print(
      PostgresServer pg, int changes, int instances, long[] processes, long[] followers) {
    System.out.println("<!-- propagation:start -->");
    System.out.println("## State propagation (control plane)");
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Written by `bench/propagation.sh` on %s. PostgreSQL from the test provider (%s).%n%n",
        Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC",
        pg.provider());
    System.out.printf(
        Locale.ROOT,
        "%d changes per row (after %d warm-up), %d instances on one state store. Measured: from"
            + " the change call returning (the change committed with its NOTIFY) to the new"
            + " version applied on **every** instance.%n%n",
        changes,
        WARMUP,
        instances);
    System.out.println("| setup | p50 | p90 | p99 | max | target |");
    System.out.println("|---|---|---|---|---|---|");
    if (processes != null) {
      row(
          instances
              + " `turnout serve` processes; change: a transition through instance 1's admin API;"
              + " applied: each instance's answer to `GET /api/v1/state?wait_version=V`",
          processes);
    }
    row(
        instances
            + " state followers in one JVM; change: `StateStore.apply`; applied:"
            + " `StateFollower.awaitVersion`",
        followers);
    System.out.println();
    System.out.println(
        "Processes: alternating `dual_write_on` / `dual_write_off`; the long polls are sent before"
            + " the change, and an instance that applies it before the API's answer reaches the"
            + " benchmark counts as 0, so a row is the slowest instance's lag behind the caller."
            + " Each number includes one HTTP answer over loopback. Followers: the same path"
            + " without HTTP or a process boundary (the read percentage changes each time).");
    if (processes == null) {
      System.out.println();
      System.out.println("No `turnout.jar` was given, so only the in-JVM followers were measured.");
    }
    System.out.println("<!-- propagation:end -->");
  }

  private static void row(String setup, long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s | p99 < 100 ms |%n",
        setup,
        ms(sorted, 0.50),
        ms(sorted, 0.90),
        ms(sorted, 0.99),
        ms(sorted, 1.0));
  }

  private static String ms(long[] sorted, double q) {
    int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
    return String.format(Locale.ROOT, "%.2f ms", sorted[Math.max(0, i)] / 1000.0);
  }

  // ---------------------------------------------------------------- database

  private static StateStore store(PostgresServer pg, String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(db));
    ds.setUser(pg.superuser());
    if (pg.superuserPassword() != null) {
      ds.setPassword(pg.superuserPassword());
    }
    return new StateStore(ds);
  }

  private static Connection connect(PostgresServer pg, String db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    return DriverManager.getConnection(pg.jdbcUrl(db), p);
  }
}
