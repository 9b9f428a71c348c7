package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import io.turnout.testkit.junit.PostgresExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The acceptance workload: applications that know nothing of the migration — one written for the
 * old schema, one for the new, side by side — run an ORM-style workload through a real {@code
 * turnout serve} over HikariCP pools with server-side prepared statements from the first execution
 * ({@code prepareThreshold=1}, so every statement is a long-lived named one), while the operator's
 * CLI drives the split of {@code users.name} through expand → dual_write → backfill → verify →
 * reads 5 → 50 → 100 → rollback → 100 → writes_new. No client sees an error, every read equals what
 * the application wrote, and at the end every row is consistent (new = forward(old), old =
 * backward(new)).
 *
 * <p>Where Node is installed, a third application written for the old schema runs beside them:
 * node-postgres clients ({@code src/test/node/workload.js}, {@code pg} pinned by its lock file and
 * installed with {@code npm ci} under {@code target/} at test time) with unnamed and named prepared
 * statements, a few simple-protocol reads, and one connection in pg's pipeline mode. Without {@code
 * node} or {@code npm}, or when the install fails (no registry), the Java clients still run the
 * whole journey and the test ends as aborted, saying why the node-postgres part did not run.
 */
@ExtendWith(PostgresExtension.class)
class WorkloadJourneyIT {
  private static final String TOKEN = "workload-token";
  private static final String ID = "split-name";
  private static final Path JAR = Path.of("target", "turnout.jar");
  private static final Path LOGS = Path.of("target", "workload-journey");
  private static final String FORWARD_FIRST = "split_part(name, ' ', 1)";
  private static final String FORWARD_LAST =
      "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')";
  private static final String BACKWARD = "nullif(concat_ws(' ', first_name, last_name), '')";
  private static final int OLD_APP_CLIENTS = 4;
  private static final int NEW_APP_CLIENTS = 2;

  /** The node-postgres application's sources, and where it is installed and run. */
  private static final Path NODE_SOURCES = Path.of("src", "test", "node");

  private static final Path NODE_DIR = Path.of("target", "node-workload");
  private static final List<String> NODE_FILES =
      List.of("package.json", "package-lock.json", "workload.js");

  /** Pooled node-postgres clients (plus one pipelined connection). */
  private static final int NODE_CLIENTS = 2;

  /**
   * The node-postgres clients' pause between operations: they add statement shapes, not load (the
   * backfill walks every row inserted while it runs, so more inserts make the test slower).
   */
  private static final int NODE_THINK_MS = 20;

  /** How long the workload runs in each phase before the next step. */
  private static final Duration DWELL = Duration.ofMillis(1500);

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<String> clientErrors = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong operations = new AtomicLong();

  /** The last lifecycle step taken, so an error says when it happened. */
  private volatile String step = "planned";

  /** The node-postgres clients while they run, told each step. */
  private volatile NodeClients node;

  @Test
  void oldAndNewApplications_throughTheWholeLifecycle_seeNoErrorAndStayConsistent(PostgresServer pg)
      throws Exception {
    // npm ci runs while PostgreSQL and Turnout start; empty when node-postgres is ready to run.
    CompletableFuture<Optional<String>> nodeInstall =
        CompletableFuture.supplyAsync(WorkloadJourneyIT::installNode);
    String db = pg.createDatabase("workload");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, name text)");
      s.execute(
          "INSERT INTO users (email, name) SELECT 'seed' || g || '@x', 'Seed ' || g"
              + " FROM generate_series(1, 2000) g");
      s.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, total numeric)");
    }
    Path plan = Files.createDirectories(LOGS).resolve("plan.yaml");
    Files.writeString(plan, plan(pg, db), StandardCharsets.UTF_8);
    ExecutorService clients = Executors.newFixedThreadPool(OLD_APP_CLIENTS + NEW_APP_CLIENTS);
    try (TurnoutProcess turnout =
        TurnoutProcess.start(JAR, plan, LOGS, "serve", List.of("-Xmx256m", "-XX:+UseSerialGC"))) {
      turnout.awaitListening(true, Duration.ofSeconds(60));
      try (HikariDataSource oldApp = pool(pg, turnout, db, "old-app", OLD_APP_CLIENTS);
          HikariDataSource newApp = pool(pg, turnout, db, "new-app", NEW_APP_CLIENTS)) {
        journey(turnout, oldApp, newApp, clients, pg, db, nodeInstall);
      }
    } finally {
      running.set(false);
      if (node != null) {
        node.kill();
      }
      clients.shutdownNow();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    Optional<String> nodeSkipped = nodeInstall.get();
    Assumptions.assumeTrue(
        nodeSkipped.isEmpty(),
        () ->
            "the Java clients passed; the node-postgres clients did not run: "
                + nodeSkipped.orElse(""));
  }

  private void journey(
      TurnoutProcess turnout,
      HikariDataSource oldApp,
      HikariDataSource newApp,
      ExecutorService clients,
      PostgresServer pg,
      String db,
      CompletableFuture<Optional<String>> nodeInstall)
      throws Exception {
    String admin = turnout.adminUri().toString();
    List<Future<Map<Long, String>>> oldWrites = new ArrayList<>();
    for (int i = 0; i < OLD_APP_CLIENTS; i++) {
      int seed = i;
      oldWrites.add(clients.submit(() -> oldApplication(oldApp, seed)));
    }
    Optional<String> nodeSkipped = nodeInstall.get(5, TimeUnit.MINUTES);
    if (nodeSkipped.isEmpty()) {
      node = NodeClients.start(pg, turnout, db);
    } else {
      System.out.println("WorkloadJourneyIT: node-postgres clients skipped: " + nodeSkipped.get());
    }
    dwell();
    cli(admin, "expand", ID);
    dwell();
    cli(admin, "dual-write", ID, "on");
    // New code writes the new columns only once they are dual-written (before, it is refused).
    List<Future<Map<Long, String>>> newWrites = new ArrayList<>();
    for (int i = 0; i < NEW_APP_CLIENTS; i++) {
      int seed = 100 + i;
      newWrites.add(clients.submit(() -> newApplication(newApp, seed)));
    }
    dwell();
    cli(admin, "backfill", ID);
    dwell();
    assertThat(cli(admin, "verify", ID)).contains("phase verified");
    for (String step : new String[] {"5", "50", "100"}) {
      cli(admin, "reads", ID, step);
      dwell();
    }
    assertThat(turnout.get("/metrics", TOKEN).body())
        .containsPattern("turnout_reads_total\\{migration=\"split-name\",path=\"new\"} [1-9]")
        .containsPattern("turnout_statements_reprepared_total(\\{[^}]*})? [1-9]");
    cli(admin, "rollback", ID);
    dwell();
    cli(admin, "reads", ID, "100");
    dwell();
    cli(admin, "writes-new", ID);
    dwell();
    running.set(false);
    JsonNode nodeSummary = node == null ? null : node.stop();
    Map<Long, String> oldRows = collect(oldWrites);
    Map<Long, String> newRows = collect(newWrites);
    System.out.println(
        "WorkloadJourneyIT: pgJDBC clients: "
            + operations.get()
            + " operations, "
            + clientErrors.size()
            + " errors"
            + (nodeSummary == null
                ? ""
                : "; node-postgres clients: "
                    + nodeSummary.path("operations").asLong()
                    + " operations "
                    + nodeSummary.path("byKind")
                    + ", statements "
                    + nodeSummary.path("statements")
                    + ", "
                    + nodeSummary.path("errorCount").asLong()
                    + " errors"));

    assertThat(clientErrors).as("errors seen by the applications").isEmpty();
    assertThat(operations.get()).as("operations done").isGreaterThan(500);
    if (nodeSummary != null) {
      List<String> nodeErrors = new ArrayList<>();
      nodeSummary.path("errors").forEach(e -> nodeErrors.add(e.toString()));
      assertThat(nodeErrors)
          .as("errors seen by the node-postgres clients (%s in all)", nodeSummary.get("errorCount"))
          .isEmpty();
      assertThat(nodeSummary.path("operations").asLong())
          .as("node-postgres operations done")
          .isGreaterThan(200);
    }
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      assertThat(ids(s, inconsistentRows())).as("rows where old and new disagree").isEmpty();
      assertStored(s, "name", oldRows);
      assertStored(s, "first_name || '|' || coalesce(last_name, '')", newRows);
      if (nodeSummary != null) {
        Map<Long, String> nodeRows = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : nodeSummary.path("rows").properties()) {
          nodeRows.put(
              Long.parseLong(e.getKey()), e.getValue().isNull() ? null : e.getValue().asText());
        }
        assertThat(nodeRows).as("rows the node-postgres clients own").isNotEmpty();
        assertStored(s, "name", nodeRows);
      }
    }
  }

  /**
   * Old code: inserts (single, multi-row, batched), updates, upserts, deletes, RETURNING, SELECT *
   * and a join, some in explicit transactions, on the rows it owns; each read is checked against
   * what it wrote. Returns the rows it owns at the end, id → name.
   */
  private Map<Long, String> oldApplication(HikariDataSource pool, int seed) {
    Random random = new Random(seed);
    Map<Long, String> mine = new HashMap<>();
    List<Long> ids = new ArrayList<>();
    while (running.get()) {
      try (Connection c = pool.getConnection()) {
        String name = randomName(random);
        switch (random.nextInt(9)) {
          case 0 -> {
            long id = insertReturningId(c, name, seed);
            mine.put(id, name);
            ids.add(id);
          }
          case 1 -> {
            String other = randomName(random);
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO users (email, name) VALUES (?, ?), (?, ?) RETURNING id, name")) {
              ps.setString(1, "m" + seed + "@x");
              ps.setString(2, name);
              ps.setString(3, "m" + seed + "@x");
              ps.setString(4, other);
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  check("multi-row RETURNING", rs.getString(2), rs.getRow() == 1 ? name : other);
                  mine.put(rs.getLong(1), rs.getString(2));
                  ids.add(rs.getLong(1));
                }
              }
            }
          }
          case 2 -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE users SET name = ? WHERE id = ?")) {
              ps.setString(1, name);
              ps.setLong(2, id);
              check("update count", String.valueOf(ps.executeUpdate()), "1");
            }
            mine.put(id, name);
          }
          case 3 -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO users (id, email, name) VALUES (?, ?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name")) {
              ps.setLong(1, id);
              ps.setString(2, "u" + seed + "@x");
              ps.setString(3, name);
              check("upsert count", String.valueOf(ps.executeUpdate()), "1");
            }
            mine.put(id, name);
          }
          case 4 -> {
            if (ids.size() < 20) {
              continue;
            }
            long id = ids.remove(random.nextInt(ids.size()));
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
              ps.setLong(1, id);
              check("delete count", String.valueOf(ps.executeUpdate()), "1");
            }
            mine.remove(id);
          }
          case 5 -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM users WHERE id = ?")) {
              ps.setLong(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                check("SELECT * finds the row", String.valueOf(rs.next()), "true");
                check("SELECT * columns", String.valueOf(rs.getMetaData().getColumnCount()), "3");
                check("SELECT * name", rs.getString("name"), mine.get(id));
              }
            }
          }
          case 6 -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement order =
                c.prepareStatement("INSERT INTO orders (user_id, total) VALUES (?, ?)")) {
              order.setLong(1, id);
              order.setInt(2, 1 + random.nextInt(100));
              order.executeUpdate();
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT u.name, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id"
                        + " WHERE u.id = ? GROUP BY u.id, u.name")) {
              ps.setLong(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                check("join finds the row", String.valueOf(rs.next()), "true");
                check("join name", rs.getString(1), mine.get(id));
              }
            }
          }
          case 7 -> {
            // A transaction: a new user and its order, committed together.
            c.setAutoCommit(false);
            try {
              long id = insertReturningId(c, name, seed);
              try (PreparedStatement order =
                  c.prepareStatement("INSERT INTO orders (user_id, total) VALUES (?, 1)")) {
                order.setLong(1, id);
                order.executeUpdate();
              }
              c.commit();
              mine.put(id, name);
              ids.add(id);
            } finally {
              c.setAutoCommit(true);
            }
          }
          default -> {
            // A batch (pgJDBC pipelines its Bind/Execute pairs before one Sync).
            if (ids.size() < 3) {
              continue;
            }
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE users SET name = ? WHERE id = ?")) {
              for (int k = 0; k < 3; k++) {
                long id = ids.get(random.nextInt(ids.size()));
                String n = randomName(random);
                ps.setString(1, n);
                ps.setLong(2, id);
                ps.addBatch();
                mine.put(id, n);
              }
              ps.executeBatch();
            }
          }
        }
        operations.incrementAndGet();
      } catch (SQLException | RuntimeException e) {
        clientErrors.add(step + ": old-app " + seed + ": " + e);
      }
    }
    return mine;
  }

  /**
   * New code: writes and reads first_name and last_name only. Returns the rows it owns, id →
   * "first|last".
   */
  private Map<Long, String> newApplication(HikariDataSource pool, int seed) {
    Random random = new Random(seed);
    Map<Long, String> mine = new HashMap<>();
    List<Long> ids = new ArrayList<>();
    while (running.get()) {
      try (Connection c = pool.getConnection()) {
        String first = "F" + random.nextInt(1000);
        String last = random.nextInt(5) == 0 ? null : "L" + random.nextInt(1000);
        switch (random.nextInt(3)) {
          case 0 -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO users (email, first_name, last_name) VALUES (?, ?, ?)"
                        + " RETURNING id")) {
              ps.setString(1, "n" + seed + "@x");
              ps.setString(2, first);
              ps.setString(3, last);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                mine.put(rs.getLong(1), joined(first, last));
                ids.add(rs.getLong(1));
              }
            }
          }
          case 1 -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE users SET first_name = ?, last_name = ? WHERE id = ?")) {
              ps.setString(1, first);
              ps.setString(2, last);
              ps.setLong(3, id);
              check("new-app update count", String.valueOf(ps.executeUpdate()), "1");
            }
            mine.put(id, joined(first, last));
          }
          default -> {
            if (ids.isEmpty()) {
              continue;
            }
            long id = ids.get(random.nextInt(ids.size()));
            try (PreparedStatement ps =
                c.prepareStatement("SELECT first_name, last_name FROM users WHERE id = ?")) {
              ps.setLong(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                check("new-app read finds the row", String.valueOf(rs.next()), "true");
                check("new-app read", joined(rs.getString(1), rs.getString(2)), mine.get(id));
              }
            }
          }
        }
        operations.incrementAndGet();
      } catch (SQLException | RuntimeException e) {
        clientErrors.add(step + ": new-app " + seed + ": " + e);
      }
    }
    return mine;
  }

  private static long insertReturningId(Connection c, String name, int seed) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO users (email, name) VALUES (?, ?) RETURNING id")) {
      ps.setString(1, "o" + seed + "@x");
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Names as applications store them: two words, one word, three words, or none. */
  private static String randomName(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> null;
      case 1 -> "Solo" + random.nextInt(100);
      case 2 -> "Ann Marie " + random.nextInt(100);
      default -> "First" + random.nextInt(100) + " Last" + random.nextInt(100);
    };
  }

  private static String joined(String first, String last) {
    return first + "|" + (last == null ? "" : last);
  }

  private void check(String what, String got, String expected) {
    if (!Objects.equals(got, expected)) {
      clientErrors.add(step + ": " + what + ": got " + got + ", expected " + expected);
    }
  }

  private static Map<Long, String> collect(List<Future<Map<Long, String>>> workers)
      throws Exception {
    Map<Long, String> all = new HashMap<>();
    for (Future<Map<Long, String>> f : workers) {
      all.putAll(f.get(60, TimeUnit.SECONDS));
    }
    return all;
  }

  private static String inconsistentRows() {
    return "SELECT id FROM users WHERE first_name IS DISTINCT FROM "
        + FORWARD_FIRST
        + " OR last_name IS DISTINCT FROM "
        + FORWARD_LAST
        + " OR name IS DISTINCT FROM "
        + BACKWARD
        + " ORDER BY id LIMIT 20";
  }

  /** Every row in {@code expected} holds exactly that value of {@code column}. */
  private static void assertStored(Statement s, String column, Map<Long, String> expected)
      throws SQLException {
    Map<Long, String> stored = new HashMap<>();
    try (ResultSet rs = s.executeQuery("SELECT id, " + column + " FROM users")) {
      while (rs.next()) {
        stored.put(rs.getLong(1), rs.getString(2));
      }
    }
    List<String> wrong = new ArrayList<>();
    expected.forEach(
        (id, value) -> {
          String v = stored.get(id);
          if (!stored.containsKey(id) || !Objects.equals(v, value)) {
            wrong.add(id + ": " + v + " (expected " + value + ")");
          }
        });
    assertThat(wrong).as(column + " as the applications wrote it").isEmpty();
  }

  private static List<Long> ids(Statement s, String sql) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static void dwell() throws InterruptedException {
    Thread.sleep(DWELL.toMillis());
  }

  private String cli(String admin, String... args) {
    step(String.join(" ", args) + " (running)");
    AdminCli.Result r = AdminCli.run(admin, TOKEN, args);
    step(String.join(" ", args));
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.out() + r.err()).isZero();
    return r.out();
  }

  private void step(String step) {
    this.step = step;
    NodeClients n = node;
    if (n != null) {
      n.step(step);
    }
  }

  /**
   * Copies the node-postgres application to {@link #NODE_DIR} and installs its lock file's {@code
   * pg} there with {@code npm ci} (skipped when the same lock file is installed already). Returns
   * empty when it is ready to run, or why it cannot run here.
   */
  private static Optional<String> installNode() {
    try {
      for (String tool : List.of("node", "npm")) {
        Optional<String> missing = missingTool(tool);
        if (missing.isPresent()) {
          return missing;
        }
      }
      Files.createDirectories(NODE_DIR);
      Path lock = NODE_DIR.resolve("node_modules").resolve(".package-lock.json");
      boolean installed =
          Files.isRegularFile(lock)
              && Files.isRegularFile(NODE_DIR.resolve("package-lock.json"))
              && Files.mismatch(
                      NODE_SOURCES.resolve("package-lock.json"),
                      NODE_DIR.resolve("package-lock.json"))
                  == -1;
      for (String f : NODE_FILES) {
        Files.copy(
            NODE_SOURCES.resolve(f), NODE_DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      if (installed) {
        return Optional.empty();
      }
      Path log = NODE_DIR.resolve("npm-ci.log");
      Process npm =
          new ProcessBuilder(
                  "npm",
                  "ci",
                  "--no-audit",
                  "--no-fund",
                  "--prefer-offline",
                  "--fetch-retries=1",
                  "--fetch-timeout=30000")
              .directory(NODE_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      npm.getOutputStream().close();
      if (!npm.waitFor(3, TimeUnit.MINUTES)) {
        npm.destroyForcibly();
        return Optional.of("npm ci did not finish in 3 minutes (see " + log + ")");
      }
      if (npm.exitValue() != 0) {
        return Optional.of(
            "npm ci failed (exit "
                + npm.exitValue()
                + ", no registry?): "
                + npmError(Files.readString(log, StandardCharsets.UTF_8))
                + " (see "
                + log
                + ")");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("installing node-postgres failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted installing node-postgres");
    }
  }

  /** Empty when {@code tool --version} runs, else why not. */
  private static Optional<String> missingTool(String tool) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(tool, "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of(tool + " --version did not answer in 30 s");
      }
      return p.exitValue() == 0
          ? Optional.empty()
          : Optional.of(tool + " --version exited " + p.exitValue());
    } catch (IOException e) {
      return Optional.of(tool + " is not on the PATH (" + e.getMessage() + ")");
    }
  }

  /** The gist of npm's error output: its first few error lines, without the stack. */
  private static String npmError(String log) {
    List<String> lines =
        log.lines().filter(l -> !l.isBlank() && !l.contains("    at ")).limit(4).toList();
    return lines.isEmpty() ? "no output" : String.join("; ", lines);
  }

  private static String tail(String text) {
    String t = text.strip();
    return t.length() <= 600 ? t : "…" + t.substring(t.length() - 600);
  }

  /**
   * The node-postgres application while it runs: steps go to its stdin, closing stdin stops it, and
   * its summary (JSON) is written to {@code node-summary.json}, its log to {@code node.log}.
   */
  private record NodeClients(Process process, OutputStream stdin, Path summary, Path log) {
    static NodeClients start(PostgresServer pg, TurnoutProcess turnout, String db)
        throws IOException {
      Path summary = LOGS.resolve("node-summary.json").toAbsolutePath();
      Path log = LOGS.resolve("node.log").toAbsolutePath();
      ProcessBuilder b =
          new ProcessBuilder(
                  "node",
                  "workload.js",
                  String.valueOf(NODE_CLIENTS),
                  "7",
                  String.valueOf(NODE_THINK_MS))
              .directory(NODE_DIR.toFile())
              .redirectOutput(summary.toFile())
              .redirectError(log.toFile());
      Map<String, String> env = b.environment();
      env.keySet().removeIf(k -> k.startsWith("PG"));
      env.put("PGHOST", "127.0.0.1");
      env.put("PGPORT", String.valueOf(turnout.proxyPort()));
      env.put("PGDATABASE", db);
      env.put("PGUSER", pg.superuser());
      if (pg.superuserPassword() != null) {
        env.put("PGPASSWORD", pg.superuserPassword());
      }
      env.put("PGAPPNAME", "node-app");
      Process p = b.start();
      return new NodeClients(p, p.getOutputStream(), summary, log);
    }

    synchronized void step(String step) {
      try {
        stdin.write((step + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
      } catch (IOException e) {
        // It has ended: stop() reports how.
      }
    }

    /** Stops the clients (closes stdin) and returns their summary. */
    JsonNode stop() throws IOException, InterruptedException {
      synchronized (this) {
        try {
          stdin.close();
        } catch (IOException e) {
          // It has ended already.
        }
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
        throw new AssertionError("node-postgres clients did not stop in 30 s: " + log());
      }
      String out = Files.readString(summary, StandardCharsets.UTF_8).strip();
      assertThat(out)
          .as(
              "node-postgres summary (exit %d, log: %s)",
              process.exitValue(), tail(Files.readString(log, StandardCharsets.UTF_8)))
          .isNotEmpty();
      try {
        return new ObjectMapper().readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("node-postgres summary is not JSON: " + tail(out), e);
      }
    }

    void kill() {
      process.destroyForcibly();
    }
  }

  private static HikariDataSource pool(
      PostgresServer pg, TurnoutProcess turnout, String db, String application, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        "jdbc:postgresql://127.0.0.1:"
            + turnout.proxyPort()
            + "/"
            + db
            + "?prepareThreshold=1&ApplicationName="
            + application);
    config.setUsername(pg.superuser());
    config.setPassword(pg.superuserPassword());
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setPoolName(application);
    return new HikariDataSource(config);
  }

  private static String plan(PostgresServer pg, String db) {
    return ServePlan.of(
        "WorkloadJourneyIT",
        TOKEN,
        pg.url(db),
        2,
        "  - id: " + ID,
        "    kind: transform_column",
        "    table: public.users",
        "    old: [name]",
        "    new: [first_name, last_name]",
        "    forward:",
        "      first_name: \"" + FORWARD_FIRST + "\"",
        "      last_name: \"" + FORWARD_LAST + "\"",
        "    backward:",
        "      name: \"" + BACKWARD + "\"");
  }
}
