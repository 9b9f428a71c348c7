package io.turnout.admin.ddl;

import io.turnout.config.plan.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DdlPlan} over one JDBC connection, step by step, each statement in autocommit.
 *
 * <p>Every statement runs with a short {@code lock_timeout} ({@link DdlSettings#lockTimeout()}). An
 * {@code ALTER TABLE} waiting for ACCESS EXCLUSIVE makes every later query on the table wait behind
 * it; with the timeout, the application stalls at most that long, the statement gives up (SQLSTATE
 * 55P03) and is retried after an exponential backoff with full jitter, which lets the queued
 * application queries through. Each retry is logged and reported with the sessions that held locks
 * on the table. Deadlocks (40P01) are retried the same way. Statements that scan the table (index
 * builds, {@code VALIDATE CONSTRAINT}) run without {@code statement_timeout}.
 *
 * <p>Re-running is safe: a step whose {@link DdlStep#doneWhen() guard} finds its effect in place is
 * skipped without taking a lock, and an INVALID index left by a failed {@code CONCURRENTLY} build
 * (including one this runner's own lock timeout interrupted) is dropped {@code CONCURRENTLY} and
 * built again.
 *
 * <p>The connection's {@code lock_timeout} and {@code statement_timeout} are restored when the run
 * ends.
 *
 * @see <a href="https://www.postgresql.org/docs/current/explicit-locking.html">PostgreSQL: Explicit
 *     Locking</a>
 * @see <a
 *     href="https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY">
 *     PostgreSQL: Building Indexes Concurrently</a>
 */
public final class DdlRunner {
  private static final Logger log = LoggerFactory.getLogger(DdlRunner.class);

  private static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final String DEADLOCK_DETECTED = "40P01";

  private static final String INDEX_STATE =
      "SELECT i.indisvalid, i.indrelid = ?::regclass, pg_get_indexdef(i.indexrelid)"
          + " FROM pg_index i"
          + " JOIN pg_class c ON c.oid = i.indexrelid"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relname = ?";

  private static final String LOCK_HOLDERS =
      "SELECT l.pid, l.mode, coalesce(a.state, ''),"
          + " extract(epoch FROM now() - a.xact_start)::float8,"
          + " left(coalesce(a.query, ''), 200)"
          + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
          + " WHERE l.locktype = 'relation' AND l.relation = ?::regclass AND l.granted"
          + " AND l.pid <> pg_backend_pid()"
          + " ORDER BY a.xact_start NULLS LAST, l.pid";

  private final DdlSettings settings;
  private final DdlListener listener;
  private final DoubleSupplier random;

  public DdlRunner(DdlSettings settings, DdlListener listener) {
    this(settings, listener, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** With a chosen random source for the backoff jitter (uniform in {@code [0, 1)}). */
  public DdlRunner(DdlSettings settings, DdlListener listener, DoubleSupplier random) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Runs every step of {@code plan} in order on {@code connection}, which must be in autocommit
   * mode ({@code CONCURRENTLY} cannot run in a transaction) and used by nobody else meanwhile.
   *
   * @throws DdlException naming the migration, phase, step and statement, when a statement fails
   *     for another reason than a lock timeout, when a step runs out of attempts, or when the
   *     thread is interrupted while waiting to retry (the interrupt flag is kept)
   */
  public DdlResult run(Connection connection, DdlPlan plan) throws DdlException {
    long started = System.nanoTime();
    List<StepOutcome> outcomes = new ArrayList<>();
    int retries = 0;
    Session session = Session.open(connection, plan);
    try {
      for (int i = 0; i < plan.steps().size(); i++) {
        DdlStep step = plan.steps().get(i);
        listener.stepStarted(plan, i, step);
        long stepStarted = System.nanoTime();
        StepRun run = runStep(connection, session, plan, i, step);
        retries += run.retries;
        outcomes.add(run.outcome);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - stepStarted);
        log.info(
            "{} '{}' step {}/{} {}: {} in {}ms",
            plan.phase().label(),
            plan.migrationId(),
            i + 1,
            plan.steps().size(),
            step.description(),
            run.outcome,
            elapsed.toMillis());
        listener.stepFinished(plan, i, step, run.outcome, elapsed);
      }
    } finally {
      session.restore(connection, plan);
    }
    return new DdlResult(plan, outcomes, retries, Duration.ofNanos(System.nanoTime() - started));
  }

  private record StepRun(StepOutcome outcome, int retries) {}

  private StepRun runStep(Connection c, Session session, DdlPlan plan, int index, DdlStep step)
      throws DdlException {
    Backoff backoff = settings.backoff();
    // Survives attempts: a rebuild whose build then timed out finds no index on the next attempt.
    boolean rebuilt = false;
    for (int attempt = 1; ; attempt++) {
      try {
        boolean indexStep = step.index().isPresent();
        if (!indexStep && isDone(c, step)) {
          return new StepRun(StepOutcome.SKIPPED, attempt - 1);
        }
        // SET per statement, not once: a rebuilt index or a retry must not inherit a setting
        // changed in between (the statement_timeout of a scan, say).
        set(c, "lock_timeout", settings.lockTimeout().toMillis() + "ms");
        set(c, "statement_timeout", step.scansTable() ? "0" : session.statementTimeout);
        if (indexStep) {
          IndexAction action = prepareIndex(c, plan, index, step);
          if (action == IndexAction.SKIP) {
            return new StepRun(StepOutcome.SKIPPED, attempt - 1);
          }
          rebuilt |= action == IndexAction.REBUILD;
        }
        try (Statement s = c.createStatement()) {
          s.execute(step.sql());
        }
        if (indexStep) {
          checkIndexBuilt(c, plan, index, step);
        }
        return new StepRun(rebuilt ? StepOutcome.REBUILT : StepOutcome.APPLIED, attempt - 1);
      } catch (SQLException e) {
        String state = e.getSQLState();
        boolean retryable = LOCK_NOT_AVAILABLE.equals(state) || DEADLOCK_DETECTED.equals(state);
        if (!retryable) {
          throw failure(plan, index, step, "failed", e);
        }
        if (attempt >= backoff.maxAttempts()) {
          throw failure(plan, index, step, "gave up after " + attempt + " attempts", e);
        }
        Duration delay = backoff.delay(attempt, random);
        DdlRetry retry =
            new DdlRetry(
                attempt,
                backoff.maxAttempts(),
                delay,
                state,
                e.getMessage(),
                lockHolders(c, step.table()));
        log.warn(
            "{} '{}' step {}/{} {}: {} ({}) within lock_timeout {}ms, attempt {}/{}, retrying in"
                + " {}ms; lock holders on {}: {}",
            plan.phase().label(),
            plan.migrationId(),
            index + 1,
            plan.steps().size(),
            step.description(),
            LOCK_NOT_AVAILABLE.equals(state) ? "lock not available" : "deadlock",
            state,
            settings.lockTimeout().toMillis(),
            attempt,
            backoff.maxAttempts(),
            delay.toMillis(),
            step.table(),
            retry.holders().isEmpty() ? "none found" : retry.holders());
        listener.stepRetrying(plan, index, step, retry);
        try {
          Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new DdlException(
              prefix(plan, index, step) + " interrupted while waiting to retry", ie, state);
        }
      }
    }
  }

  private enum IndexAction {
    SKIP,
    BUILD,
    REBUILD
  }

  /**
   * Decides what an index step does from the index of its name as it is now: none → build; the
   * expected copy, valid → skip; INVALID (a failed {@code CONCURRENTLY} build, possibly one this
   * runner's lock timeout interrupted) → drop it {@code CONCURRENTLY} and build again, since {@code
   * IF NOT EXISTS} would see the name taken and leave the broken index in place; anything else
   * under that name → refuse, since {@code IF NOT EXISTS} would let it stand in for the copy.
   */
  private static IndexAction prepareIndex(Connection c, DdlPlan plan, int index, DdlStep step)
      throws SQLException, DdlException {
    Optional<IndexState> state = indexState(c, step.table(), step.index().get());
    if (state.isEmpty()) {
      return IndexAction.BUILD;
    }
    if (!state.get().onTable) {
      throw new DdlException(prefix(plan, index, step) + ": " + clash(step, state.get()));
    }
    if (state.get().valid) {
      if (isDone(c, step)) {
        return IndexAction.SKIP;
      }
      throw new DdlException(prefix(plan, index, step) + ": " + clash(step, state.get()));
    }
    log.warn(
        "{} '{}': index {} is INVALID (a concurrent build failed); dropping it to build it again",
        plan.phase().label(),
        plan.migrationId(),
        step.index().get());
    try (Statement s = c.createStatement()) {
      s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + step.index().get().sql());
    }
    return IndexAction.REBUILD;
  }

  /** {@code IF NOT EXISTS} is satisfied by any relation of that name; make sure it is the copy. */
  private static void checkIndexBuilt(Connection c, DdlPlan plan, int index, DdlStep step)
      throws SQLException, DdlException {
    if (isDone(c, step)) {
      return;
    }
    Optional<IndexState> state = indexState(c, step.table(), step.index().get());
    if (state.isPresent() && state.get().onTable && !state.get().valid) {
      throw new DdlException(
          prefix(plan, index, step)
              + ": index "
              + step.index().get()
              + " is still INVALID after the build; statement: "
              + step.sql());
    }
    throw new DdlException(
        prefix(plan, index, step)
            + ": after the build, "
            + (state.isEmpty()
                ? "no index " + step.index().get() + " exists"
                : clash(step, state.get()))
            + "; statement: "
            + step.sql());
  }

  private static boolean isDone(Connection c, DdlStep step) throws SQLException {
    return step.doneWhen().isPresent() && returnsRow(c, step.doneWhen().get());
  }

  private static String clash(DdlStep step, IndexState found) {
    return "the name "
        + step.index().get()
        + " is taken by "
        + (found.onTable
            ? "another index on " + step.table() + " (" + found.definition + ")"
            : "a relation that is not an index on " + step.table())
        + ", not the copy Turnout builds; rename or drop it, then run again";
  }

  private record IndexState(boolean valid, boolean onTable, String definition) {}

  private static Optional<IndexState> indexState(Connection c, TableName table, TableName index)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INDEX_STATE)) {
      ps.setString(1, table.sql());
      ps.setString(2, index.schema());
      ps.setString(3, index.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return Optional.of(new IndexState(rs.getBoolean(1), rs.getBoolean(2), rs.getString(3)));
        }
      }
    }
    // Not an index at all; a table or sequence of that name would still satisfy IF NOT EXISTS.
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      ps.setString(1, index.schema());
      ps.setString(2, index.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new IndexState(true, false, "")) : Optional.empty();
      }
    }
  }

  /** Best effort: a failure to list holders must not hide the retry itself. */
  private static List<LockHolder> lockHolders(Connection c, TableName table) {
    List<LockHolder> holders = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(LOCK_HOLDERS)) {
      ps.setString(1, table.sql());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          double age = rs.getDouble(4);
          Optional<Duration> transactionAge =
              rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis((long) (age * 1000)));
          holders.add(
              new LockHolder(
                  rs.getInt(1), rs.getString(2), rs.getString(3), transactionAge, rs.getString(5)));
        }
      }
    } catch (SQLException e) {
      log.debug("could not list lock holders on {}: {}", table, e.getMessage());
    }
    return holders;
  }

  private static boolean returnsRow(Connection c, String query) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      return rs.next();
    }
  }

  private static void set(Connection c, String name, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, false)")) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.execute();
    }
  }

  private static String show(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static String prefix(DdlPlan plan, int index, DdlStep step) {
    return plan.phase().label()
        + " of '"
        + plan.migrationId()
        + "' on "
        + step.table()
        + ", step "
        + (index + 1)
        + "/"
        + plan.steps().size()
        + " ("
        + step.description()
        + ")";
  }

  private static DdlException failure(
      DdlPlan plan, int index, DdlStep step, String what, SQLException e) {
    return new DdlException(
        prefix(plan, index, step)
            + " "
            + what
            + ": "
            + e.getMessage()
            + " [SQLSTATE "
            + e.getSQLState()
            + "]; statement: "
            + step.sql(),
        e,
        e.getSQLState());
  }

  /** The connection's settings before the run, put back afterwards. */
  private static final class Session {
    final String lockTimeout;
    final String statementTimeout;

    private Session(String lockTimeout, String statementTimeout) {
      this.lockTimeout = lockTimeout;
      this.statementTimeout = statementTimeout;
    }

    static Session open(Connection c, DdlPlan plan) throws DdlException {
      try {
        if (!c.getAutoCommit()) {
          // CONCURRENTLY cannot run in a transaction block, and committing or rolling back the
          // caller's transaction behind its back would be worse than refusing.
          throw new DdlException(
              plan.phase().label()
                  + " of '"
                  + plan.migrationId()
                  + "': the connection must be in autocommit mode (DDL with CONCURRENTLY cannot"
                  + " run inside a transaction)");
        }
        return new Session(show(c, "lock_timeout"), show(c, "statement_timeout"));
      } catch (SQLException e) {
        throw new DdlException(
            plan.phase().label() + " of '" + plan.migrationId() + "': " + e.getMessage(),
            e,
            e.getSQLState());
      }
    }

    void restore(Connection c, DdlPlan plan) {
      try {
        set(c, "lock_timeout", lockTimeout);
        set(c, "statement_timeout", statementTimeout);
      } catch (SQLException e) {
        log.warn(
            "{} '{}': could not restore the connection's settings: {}",
            plan.phase().label(),
            plan.migrationId(),
            e.getMessage());
      }
    }
  }
}
