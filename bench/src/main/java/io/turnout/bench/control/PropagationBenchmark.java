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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * State propagation: N state followers (one per Turnout instance, each with its own LISTEN
 * connection and thread, as {@code turnout serve} runs them) on one state store; for each change,
 * the time from {@link StateStore#apply} returning to the new version being applied on every
 * follower. Prints a Markdown section on stdout (bench/propagation.sh puts it in BENCHMARKS.md).
 *
 * <p>Usage: {@code PropagationBenchmark [changes] [instances]} (defaults 300, 3).
 */
public final class PropagationBenchmark {
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
    PostgresServer pg = PostgresProvider.shared();
    String db = pg.createDatabase("propagation");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(db));
    ds.setUser(pg.superuser());
    if (pg.superuserPassword() != null) {
      ds.setPassword(pg.superuserPassword());
    }
    StateStore store = new StateStore(ds);
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
    int warmup = 50;
    long[] micros = new long[changes];
    for (int i = -warmup; i < changes; i++) {
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
    Arrays.sort(micros);
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
        "%d changes (after %d warm-up) to one migration's read percentage, %d state followers"
            + " (each its own LISTEN connection and thread, as each `turnout serve` instance runs"
            + " one) in one JVM. Measured: from `StateStore.apply` returning (the change committed"
            + " with its NOTIFY) to the new version applied on **every** follower.%n%n",
        changes,
        warmup,
        instances);
    System.out.println("| p50 | p90 | p99 | max | target |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | p99 < 100 ms |%n",
        ms(micros, 0.50),
        ms(micros, 0.90),
        ms(micros, 0.99),
        ms(micros, 1.0));
    System.out.println();
    System.out.println(
        "The followers run in one JVM here, not as three `turnout serve` processes: the admin API"
            + " that would expose each process's applied version is not built yet. Each follower"
            + " has its own connection, so the database does the same work as for three processes.");
    System.out.println("<!-- propagation:end -->");
  }

  private static String ms(long[] sorted, double q) {
    int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
    return String.format(Locale.ROOT, "%.2f ms", sorted[Math.max(0, i)] / 1000.0);
  }

  private static Change change(MigrationRecord from, MigrationRecord to) {
    return new Change(from, to, Action.READS, "bench", Optional.empty(), "propagation benchmark");
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
