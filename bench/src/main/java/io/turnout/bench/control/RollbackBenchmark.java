package io.turnout.bench.control;

import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rollback latency under continuous reads: N {@code turnout serve} processes on one state store, a
 * rename migration at reads 100% ({@code reads_new}), clients on every instance reading in a loop;
 * each cycle rolls back through instance 1's admin API and measures the time from that call
 * returning to the <b>last</b> read served by the new path on any instance.
 *
 * <p>Which path served a read is visible in its result: after verify, the new column is given a
 * value that differs from the old one directly in PostgreSQL (bypassing Turnout), so {@code select
 * a from t where id = ?} answers {@code old} on the old path and {@code new} on the new one.
 * Readers on each instance use the simple protocol and the extended one with named statements
 * ({@code prepareThreshold=1}: the statement is prepared once and bound per execution).
 *
 * <p>Prints a Markdown section on stdout (bench/rollback.sh puts it in BENCHMARKS.md).
 *
 * <p>Usage: {@code RollbackBenchmark cycles instances readers-per-instance turnout.jar log-dir
 * [pause-ms]} (pause between one reader's reads, default 1).
 */
public final class RollbackBenchmark {
  private static final int WARMUP = 10;
  private static final int ROWS = 100;
  private static final long SETTLE_MS = 500;
  private static final String TOKEN = "rollback-bench";
  private static final String MIGRATION = "bench-rollback";
  private static final String NEW = "new";
  private static final String OLD = "old";

  /** One client connection through one instance, reading in a loop. */
  private static final class Reader implements Runnable {
    final int instance;
    final boolean simple;
    final String url;
    final Properties props;
    volatile boolean stop;
    volatile long lastNewStart;
    volatile long lastNewEnd;
    volatile long lastOldEnd;
    volatile long slowest;
    final AtomicLong slow = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong wrong = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile String lastProblem = "";

    final long pauseMs;

    Reader(int instance, boolean simple, String url, Properties props, long pauseMs) {
      this.pauseMs = pauseMs;
      this.instance = instance;
      this.simple = simple;
      this.url = url;
      this.props = props;
    }

    @Override
    public void run() {
      Properties p = new Properties();
      p.putAll(props);
      p.setProperty("preferQueryMode", simple ? "simple" : "extended");
      p.setProperty("prepareThreshold", "1");
      p.setProperty(
          "ApplicationName", "rollback-bench-" + instance + (simple ? "-simple" : "-ext"));
      while (!stop) {
        try (Connection c = DriverManager.getConnection(url, p);
            PreparedStatement ps = c.prepareStatement("select a from t where id = ?")) {
          while (!stop) {
            ps.setLong(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
            long t0 = System.nanoTime();
            String v;
            try (ResultSet rs = ps.executeQuery()) {
              v = rs.next() ? rs.getString(1) : null;
            }
            long t1 = System.nanoTime();
            reads.incrementAndGet();
            if (t1 - t0 > slowest) {
              slowest = t1 - t0;
            }
            if (t1 - t0 > TimeUnit.MILLISECONDS.toNanos(10)) {
              slow.incrementAndGet();
            }
            if (NEW.equals(v)) {
              lastNewStart = t0;
              lastNewEnd = t1;
            } else if (OLD.equals(v)) {
              lastOldEnd = t1;
            } else {
              wrong.incrementAndGet();
              lastProblem = "read " + v;
            }
            if (pauseMs > 0) {
              Thread.sleep(pauseMs);
            }
          }
        } catch (InterruptedException e) {
          return;
        } catch (SQLException e) {
          errors.incrementAndGet();
          lastProblem = e.getSQLState() + " " + e.getMessage();
          sleep(10);
        }
      }
    }

    String label() {
      return "instance " + instance + " " + (simple ? "simple" : "extended");
    }
  }

  public static void main(String[] args) throws Exception {
    int cycles = Integer.parseInt(args[0]);
    int instances = Integer.parseInt(args[1]);
    int readersPer = Integer.parseInt(args[2]);
    Path jar = Path.of(args[3]);
    Path logDir = Path.of(args[4]);
    long pauseMs = args.length > 5 ? Long.parseLong(args[5]) : 1;
    String loadBefore = loadAverage();
    PostgresServer pg = PostgresProvider.shared();
    String db = pg.createDatabase("rollback_bench");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("create table t (id bigint primary key, a text not null)");
      s.execute("insert into t select i, '" + OLD + "' from generate_series(1, " + ROWS + ") as i");
    }
    Files.createDirectories(logDir);
    Path plan = logDir.resolve("plan.yaml");
    Files.writeString(plan, plan(pg, db), StandardCharsets.UTF_8);
    List<TurnoutProcess> serve = new ArrayList<>();
    List<Reader> readers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 1; i <= instances; i++) {
        serve.add(
            TurnoutProcess.start(
                jar, plan, logDir, "instance-" + i, List.of("-Xmx256m", "-XX:+UseSerialGC")));
      }
      for (TurnoutProcess t : serve) {
        t.awaitListening(true, Duration.ofSeconds(60));
      }
      TurnoutProcess one = serve.get(0);
      awaitReady(serve);
      job(one, "expand");
      transition(one, "{\"action\":\"dual_write_on\"}");
      job(one, "backfill");
      job(one, "verify");
      // Behind Turnout's back: the new column now tells which path served a read.
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.executeUpdate("update t set b = '" + NEW + "'");
      }
      Properties props = new Properties();
      props.setProperty("user", pg.superuser());
      if (pg.superuserPassword() != null) {
        props.setProperty("password", pg.superuserPassword());
      }
      for (int i = 0; i < instances; i++) {
        String url = "jdbc:postgresql://127.0.0.1:" + serve.get(i).proxyPort() + "/" + db;
        for (int k = 0; k < readersPer; k++) {
          Reader r = new Reader(i + 1, k % 2 == 0, url, props, pauseMs);
          readers.add(r);
          Thread th = new Thread(r, "reader-" + r.label().replace(' ', '-'));
          th.setDaemon(true);
          threads.add(th);
          th.start();
        }
      }
      System.err.printf(
          "rollback: %d instances, %d readers, logs in %s%n", instances, readers.size(), logDir);
      long[] any = new long[cycles];
      long[] called = new long[cycles];
      long[] others = new long[cycles];
      long[] simpleLag = new long[cycles];
      long[] extendedLag = new long[cycles];
      long[] rampUp = new long[cycles];
      long[] sent = new long[cycles];
      long[] propagated = new long[cycles];
      long violations = 0;
      long readsAtStart = 0;
      for (int i = -WARMUP; i < cycles; i++) {
        if (i == 0) {
          readsAtStart = readers.stream().mapToLong(r -> r.reads.get()).sum();
          for (Reader r : readers) {
            r.slowest = 0;
            r.slow.set(0);
          }
        }
        transition(one, "{\"action\":\"reads\",\"percent\":100}");
        long up = System.nanoTime();
        long allNew = awaitReaders(readers, r -> r.lastNewEnd > up, "the new path after reads 100");
        sleep(50 + ThreadLocalRandom.current().nextInt(50));
        // Each instance's applied version, by a long poll sent before the rollback (as in
        // PropagationBenchmark): splits a cycle's lag into propagation and the sessions' switch.
        long next = version(one) + 1;
        List<CompletableFuture<Long>> applied = new ArrayList<>();
        for (TurnoutProcess t : serve) {
          applied.add(
              t.getAsync("/api/v1/state?wait_version=" + next + "&timeout_ms=10000", TOKEN)
                  .thenApply(resp -> System.nanoTime()));
        }
        transition(one, "{\"action\":\"rollback\"}");
        long returned = System.nanoTime();
        long appliedAll = returned;
        for (CompletableFuture<Long> f : applied) {
          appliedAll = Math.max(appliedAll, f.get(15, TimeUnit.SECONDS));
        }
        awaitReaders(readers, r -> r.lastOldEnd > returned, "the old path after the rollback");
        sleep(SETTLE_MS);
        if (i < 0) {
          continue;
        }
        rampUp[i] = Math.max(0, allNew - up) / 1_000;
        propagated[i] = (appliedAll - returned) / 1_000;
        for (Reader r : readers) {
          long lag = Math.max(0, r.lastNewEnd - returned) / 1_000;
          any[i] = Math.max(any[i], lag);
          sent[i] = Math.max(sent[i], Math.max(0, r.lastNewStart - returned) / 1_000);
          if (r.instance == 1) {
            called[i] = Math.max(called[i], lag);
            // The call is answered once instance 1 applied the rollback: a read it starts after
            // that must take the old path.
            if (r.lastNewStart > returned) {
              violations++;
            }
          } else {
            others[i] = Math.max(others[i], lag);
          }
          if (r.simple) {
            simpleLag[i] = Math.max(simpleLag[i], lag);
          } else {
            extendedLag[i] = Math.max(extendedLag[i], lag);
          }
        }
        if ((i + 1) % 10 == 0) {
          System.err.printf(
              Locale.ROOT, "rollback: %d/%d cycles, last %.2f ms%n", i + 1, cycles, any[i] / 1e3);
        }
      }
      readers.forEach(r -> r.stop = true);
      for (Thread th : threads) {
        th.join(5_000);
      }
      long reads = readers.stream().mapToLong(r -> r.reads.get()).sum() - readsAtStart;
      long wrong = readers.stream().mapToLong(r -> r.wrong.get()).sum();
      long errors = readers.stream().mapToLong(r -> r.errors.get()).sum();
      long slow = readers.stream().mapToLong(r -> r.slow.get()).sum();
      long slowest = readers.stream().mapToLong(r -> r.slowest).max().orElse(0) / 1_000;
      StringBuilder problems = new StringBuilder();
      for (Reader r : readers) {
        if (!r.lastProblem.isEmpty()) {
          problems.append(r.label()).append(": ").append(r.lastProblem).append("; ");
        }
      }
      print(
          pg,
          cycles,
          instances,
          readersPer,
          loadBefore,
          pauseMs,
          new long[][] {any, sent, called, others, simpleLag, extendedLag, propagated, rampUp},
          reads,
          slow,
          slowest,
          wrong,
          errors,
          violations,
          problems.toString());
    } finally {
      readers.forEach(r -> r.stop = true);
      serve.forEach(TurnoutProcess::close);
    }
  }

  /** Waits until every reader satisfies {@code done}; answers when the last one did (nanoTime). */
  private static long awaitReaders(List<Reader> readers, Predicate<Reader> done, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      boolean all = true;
      for (Reader r : readers) {
        all &= done.test(r);
      }
      if (all) {
        return System.nanoTime();
      }
      if (System.nanoTime() > deadline) {
        StringBuilder late = new StringBuilder();
        for (Reader r : readers) {
          if (!done.test(r)) {
            late.append(r.label()).append(" (").append(r.lastProblem).append(") ");
          }
        }
        throw new IllegalStateException("readers not on " + what + " after 10 s: " + late);
      }
      sleep(1);
    }
  }

  // ---------------------------------------------------------------- admin API

  private static void awaitReady(List<TurnoutProcess> serve) throws Exception {
    for (TurnoutProcess t : serve) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (t.get("/readyz", null).status() != 200) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(t + " not ready\n" + t.stderrTail());
        }
        sleep(100);
      }
    }
  }

  private static long version(TurnoutProcess t) throws Exception {
    return t.get("/api/v1/migrations/" + MIGRATION, TOKEN).longField("version").orElseThrow();
  }

  /** A transition at the current version (read first), answered once instance 1 applied it. */
  private static void transition(TurnoutProcess t, String action) throws Exception {
    long version = version(t);
    String body =
        action.substring(0, action.length() - 1) + ",\"expected_version\":" + version + "}";
    TurnoutProcess.Response r =
        t.post("/api/v1/migrations/" + MIGRATION + "/transitions", TOKEN, body);
    if (r.status() != 200) {
      throw new IllegalStateException(body + " answered " + r.status() + ": " + r.body());
    }
  }

  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  /** Starts a job on the instance and waits until it succeeds. */
  private static void job(TurnoutProcess t, String kind) throws Exception {
    TurnoutProcess.Response r =
        t.post("/api/v1/migrations/" + MIGRATION + "/jobs", TOKEN, "{\"kind\":\"" + kind + "\"}");
    Matcher id = ID.matcher(r.body());
    if (r.status() != 202 || !id.find()) {
      throw new IllegalStateException(kind + " answered " + r.status() + ": " + r.body());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      TurnoutProcess.Response j = t.get("/api/v1/jobs/" + id.group(1), TOKEN);
      Matcher s = STATUS.matcher(j.body());
      String status = s.find() ? s.group(1) : "?";
      if (status.equals("succeeded")) {
        return;
      }
      if (!status.equals("queued") && !status.equals("running") || System.nanoTime() > deadline) {
        throw new IllegalStateException(kind + " job: " + j.body());
      }
      sleep(50);
    }
  }

  private static String plan(PostgresServer pg, String db) {
    return ServePlan.of(
        "RollbackBenchmark; every instance reads this file",
        TOKEN,
        pg.url(db),
        1,
        ServePlan.renameColumn(MIGRATION, "public.t", "a", "b"));
  }

  // ---------------------------------------------------------------- report

  private static void print(
      PostgresServer pg,
      int cycles,
      int instances,
      int readersPer,
      String loadBefore,
      long pauseMs,
      long[][] rows,
      long reads,
      long slow,
      long slowest,
      long wrong,
      long errors,
      long violations,
      String problems) {
    String[] setups = {
      "**any instance** (the measure)",
      "any instance, timed at the read's start instead of its end (when it was sent)",
      "instance 1 (the rollback's API call went to it)",
      "instances 2.." + instances + " (state from the NOTIFY)",
      "simple-protocol readers",
      "extended-protocol readers (named statement, bound per execution)",
      "for comparison: the rollback's version applied on every instance (`GET /api/v1/state?wait_version=V`"
          + " long polls sent before the call, as in the propagation section)",
      "for comparison: `reads 100` returning → every reader on the new path",
    };
    System.out.println("<!-- rollback:start -->");
    System.out.println("## Rollback latency under continuous reads (control plane + wire)");
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Written by `%s` on %s, commit `%s`, %d CPUs, load average before/after: %s / %s."
            + " PostgreSQL from the test provider (%s).%n%n",
        System.getProperty("bench.invocation", "bench/rollback.sh"),
        Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC",
        System.getProperty("bench.commit", "?"),
        Runtime.getRuntime().availableProcessors(),
        loadBefore,
        loadAverage(),
        pg.provider());
    System.out.printf(
        Locale.ROOT,
        "%d cycles (after %d warm-up) of `reads 100` → every reader on the new path → 50–100 ms"
            + " → `rollback`, through instance 1's admin API, with %d `turnout serve` processes on"
            + " one state store and %d clients per instance reading `select a from t where id = ?`"
            + " in a loop, %d ms apart (half simple protocol, half extended with `prepareThreshold=1`). Measured:"
            + " from the rollback call returning to the end of the **last read answered from the"
            + " new column** on any instance (0 when none ended after the call returned).%n%n",
        cycles,
        WARMUP,
        instances,
        readersPer,
        pauseMs);
    System.out.println("| readers | p50 | p90 | p99 | max | target |");
    System.out.println("|---|---|---|---|---|---|");
    for (int k = 0; k < rows.length; k++) {
      long[] sorted = rows[k].clone();
      Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s |%n",
          setups[k],
          ms(sorted, 0.50),
          ms(sorted, 0.90),
          ms(sorted, 0.99),
          ms(sorted, 1.0),
          k == 0 ? "p99 < 100 ms" : "");
    }
    long[] sorted = rows[0].clone();
    Arrays.sort(sorted);
    long p99 = sorted[Math.max(0, (int) Math.ceil(0.99 * sorted.length) - 1)];
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%d reads during the measured cycles (%d took over 10 ms, the slowest %.1f ms); %d answered neither `old` nor `new` (wrong results),"
            + " %d client errors; %d reads on instance 1 that started after its rollback call had"
            + " returned and were still served from the new column (expected 0: the API answers"
            + " once that instance applied the change).%s%n%n",
        reads,
        slow,
        slowest / 1e3,
        wrong,
        errors,
        violations,
        problems.isEmpty() ? "" : " Last problems: " + problems.trim());
    System.out.printf(
        Locale.ROOT,
        "**Verdict: %s** — p99 %.2f ms (target: p99 < 100 ms). A row's number is one round"
            + " trip longer than the instant the path changed, since a read is timed at its end;"
            + " the other instances' share is the state propagation of the section above plus"
            + " their sessions' next read.%n",
        p99 < 100_000 && wrong == 0 && errors == 0 && violations == 0 ? "MET" : "NOT MET",
        p99 / 1e3);
    System.out.println("<!-- rollback:end -->");
  }

  private static String ms(long[] sorted, double q) {
    int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
    return String.format(Locale.ROOT, "%.2f ms", sorted[Math.max(0, i)] / 1000.0);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "n/a";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
