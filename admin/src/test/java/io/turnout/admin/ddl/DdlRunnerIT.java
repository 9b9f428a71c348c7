package io.turnout.admin.ddl;

import static io.turnout.admin.ddl.Sql.exec;
import static io.turnout.admin.ddl.Sql.one;
import static io.turnout.admin.ddl.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runner against competing sessions and broken leftovers, on a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class DdlRunnerIT {
  private static final TableName ACCOUNTS = new TableName("public", "accounts");

  private static RenameColumn renameEmail(TableName table) {
    return new RenameColumn(
        "rename-email",
        "primary",
        table,
        "email",
        "email_address",
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  /** Records the listener's calls. */
  private static final class Recorder implements DdlListener {
    final List<DdlRetry> retries = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void stepStarted(DdlPlan plan, int index, DdlStep step) {
      events.add("started " + index);
    }

    @Override
    public void stepRetrying(DdlPlan plan, int index, DdlStep step, DdlRetry retry) {
      retries.add(retry);
      events.add("retrying " + index);
    }

    @Override
    public void stepFinished(
        DdlPlan plan, int index, DdlStep step, StepOutcome outcome, Duration elapsed) {
      events.add("finished " + index + " " + outcome);
    }
  }

  @Test
  void run_tableLockedByLongTransaction_retriesWithoutStallingTheApplication(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("ddl_lock");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection setup = pg.connect(db);
        Connection holder = pg.connect(db);
        Connection app = pg.connect(db);
        Connection ddl = pg.connect(db)) {
      exec(
          setup,
          "CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(255),"
              + " hits int NOT NULL DEFAULT 0)",
          "INSERT INTO accounts (id, email) SELECT g, 'u' || g || '@example.com'"
              + " FROM generate_series(1, 1000) g",
          "CREATE INDEX accounts_email_idx ON accounts (email)");
      DdlPlan plan =
          new ExpandPlanner(new PostgresExpressionTypes(setup))
              .plan(renameEmail(ACCOUNTS), CatalogLoader.load(setup));

      // The application: point reads and single-row updates, each latency recorded.
      AtomicBoolean stop = new AtomicBoolean();
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      Future<?> application =
          threads.submit(
              () -> {
                try (PreparedStatement read =
                        app.prepareStatement("SELECT email FROM accounts WHERE id = ?");
                    PreparedStatement write =
                        app.prepareStatement("UPDATE accounts SET hits = hits + 1 WHERE id = ?")) {
                  for (int i = 0; !stop.get(); i++) {
                    long started = System.nanoTime();
                    read.setLong(1, 1 + i % 1000);
                    try (ResultSet rs = read.executeQuery()) {
                      rs.next();
                    }
                    latencies.add(System.nanoTime() - started);
                    started = System.nanoTime();
                    write.setLong(1, 1 + i % 1000);
                    write.executeUpdate();
                    latencies.add(System.nanoTime() - started);
                  }
                }
                return null;
              });

      // A long transaction holding a lock that conflicts with ALTER TABLE's ACCESS EXCLUSIVE.
      holder.setAutoCommit(false);
      exec(holder, "LOCK TABLE accounts IN ACCESS SHARE MODE");
      int holderPid = Integer.parseInt(one(holder, "SELECT pg_backend_pid()"));

      Recorder recorder = new Recorder();
      DdlSettings settings =
          new DdlSettings(
              Duration.ofMillis(200),
              new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 500));
      Future<DdlResult> expand =
          threads.submit(() -> new DdlRunner(settings, recorder).run(ddl, plan));

      Thread.sleep(3000);
      holder.commit();
      DdlResult result = expand.get(60, TimeUnit.SECONDS);
      Thread.sleep(200);
      stop.set(true);
      application.get(10, TimeUnit.SECONDS);

      List<Long> sorted;
      synchronized (latencies) {
        sorted = new ArrayList<>(latencies);
      }
      Collections.sort(sorted);
      long maxMs = TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() - 1));
      long p99Ms = TimeUnit.NANOSECONDS.toMillis(sorted.get((int) (sorted.size() * 0.99)));
      System.out.printf(
          "lock test: %d application queries while the table was locked for 3000ms and expand"
              + " retried %d times (lock_timeout 200ms): max %dms, p99 %dms; expand took %dms%n",
          sorted.size(), result.retries(), maxMs, p99Ms, result.elapsed().toMillis());

      assertThat(recorder.retries).isNotEmpty();
      assertThat(recorder.retries.get(0).sqlState()).isEqualTo("55P03");
      assertThat(recorder.retries.get(0).holders()).extracting(LockHolder::pid).contains(holderPid);
      assertThat(result.retries()).isEqualTo(recorder.retries.size());
      assertThat(result.outcomes()).containsExactly(StepOutcome.APPLIED, StepOutcome.APPLIED);
      assertThat(recorder.events).endsWith("started 1", "finished 1 APPLIED");
      // Queuing behind an ALTER that waits for the whole hold would cost ~3000ms.
      assertThat(maxMs).isLessThan(2500);
      assertThat(
              one(
                  setup,
                  "SELECT pg_get_indexdef(indexrelid) || ' ' || indisvalid FROM pg_index"
                      + " WHERE indexrelid = 'accounts_email_address_idx'::regclass"))
          .isEqualTo(
              "CREATE INDEX accounts_email_address_idx ON public.accounts USING btree"
                  + " (email_address) true");
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void run_invalidIndexLeftByFailedConcurrentBuild_isDroppedAndRebuilt(PostgresServer pg)
      throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_invalid"))) {
      exec(
          c,
          "CREATE TABLE users (id bigint PRIMARY KEY, tenant_id int NOT NULL, email text)",
          "INSERT INTO users SELECT g, g % 3, 'u' || g FROM generate_series(1, 100) g",
          "CREATE UNIQUE INDEX users_email_key ON users (email)");
      // A unique build over duplicates fails and leaves an INVALID index under Turnout's name.
      try {
        exec(c, "CREATE UNIQUE INDEX CONCURRENTLY users_email_address_key ON users (tenant_id)");
        throw new AssertionError("the unique build over duplicates should have failed");
      } catch (java.sql.SQLException expected) {
        assertThat(expected.getSQLState()).isEqualTo("23505");
      }
      assertThat(
              one(
                  c,
                  "SELECT indisvalid FROM pg_index"
                      + " WHERE indexrelid = 'users_email_address_key'::regclass"))
          .isEqualTo("f");
      TableName users = new TableName("public", "users");
      Recorder recorder = new Recorder();

      DdlResult result =
          new DdlRunner(DdlSettings.DEFAULT, recorder)
              .run(
                  c,
                  new ExpandPlanner(new PostgresExpressionTypes(c))
                      .plan(renameEmail(users), CatalogLoader.load(c)));

      assertThat(result.outcomes()).containsExactly(StepOutcome.APPLIED, StepOutcome.REBUILT);
      assertThat(
              rows(
                  c,
                  "SELECT pg_get_indexdef(indexrelid) || ' ' || indisvalid FROM pg_index"
                      + " WHERE indexrelid = 'users_email_address_key'::regclass"))
          .containsExactly(
              "CREATE UNIQUE INDEX users_email_address_key ON public.users USING btree"
                  + " (email_address) true");
      DdlResult again =
          new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE)
              .run(
                  c,
                  new ExpandPlanner(new PostgresExpressionTypes(c))
                      .plan(renameEmail(users), CatalogLoader.load(c)));
      assertThat(again.unchanged()).isTrue();
    }
  }

  @Test
  void run_validIndexOfAnotherShapeHoldsTheName_isRefusedNamingIt(PostgresServer pg)
      throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_clash"))) {
      exec(
          c,
          "CREATE TABLE users (id bigint PRIMARY KEY, tenant_id int NOT NULL, email text)",
          "CREATE UNIQUE INDEX users_email_key ON users (email)",
          "CREATE INDEX users_email_address_key ON users (tenant_id)");
      DdlPlan plan =
          new ExpandPlanner(new PostgresExpressionTypes(c))
              .plan(renameEmail(new TableName("public", "users")), CatalogLoader.load(c));

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE).run(c, plan))
          .isInstanceOf(DdlException.class)
          .hasMessageContaining("expand of 'rename-email' on public.users, step 2/2")
          .hasMessageContaining(
              "the name public.users_email_address_key is taken by another index on public.users"
                  + " (CREATE INDEX users_email_address_key ON public.users USING btree"
                  + " (tenant_id))");
    }
  }

  @Test
  void run_connectionNotInAutocommit_isRefusedBeforeAnyStatement(PostgresServer pg)
      throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_autocommit"))) {
      exec(c, "CREATE TABLE users (id bigint PRIMARY KEY, email text)");
      DdlPlan plan =
          new ExpandPlanner(new PostgresExpressionTypes(c))
              .plan(renameEmail(new TableName("public", "users")), CatalogLoader.load(c));
      c.setAutoCommit(false);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE).run(c, plan))
          .isInstanceOf(DdlException.class)
          .hasMessageContaining("autocommit");
      c.rollback();
      assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attname = 'email_address'"))
          .isEmpty();
    }
  }
}
