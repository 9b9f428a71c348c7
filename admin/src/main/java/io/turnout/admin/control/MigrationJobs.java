package io.turnout.admin.control;

import io.turnout.admin.control.Job.Status;
import io.turnout.admin.control.JobRunner.End;
import io.turnout.admin.ddl.ContractPlanner;
import io.turnout.admin.ddl.DdlException;
import io.turnout.admin.ddl.DdlPlan;
import io.turnout.admin.ddl.DdlResult;
import io.turnout.admin.ddl.DdlRunner;
import io.turnout.admin.ddl.DdlSettings;
import io.turnout.admin.ddl.ExpandPlanner;
import io.turnout.admin.ddl.ExpandPlanner.NotNull;
import io.turnout.admin.ddl.PostgresExpressionTypes;
import io.turnout.admin.ddl.StepOutcome;
import io.turnout.admin.jobs.Backfill;
import io.turnout.admin.jobs.BackfillLimits;
import io.turnout.admin.jobs.BackfillResult;
import io.turnout.admin.jobs.JobLock;
import io.turnout.admin.jobs.JobOptions;
import io.turnout.admin.jobs.JobRefusedException;
import io.turnout.admin.jobs.JobState;
import io.turnout.admin.jobs.Verify;
import io.turnout.admin.jobs.VerifyResult;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.lifecycle.Request;
import io.turnout.admin.store.StateFollower;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.Phase;
import io.turnout.router.catalog.CatalogLoader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four jobs of the lifecycle, each a guarded piece of work that ends in its transition:
 *
 * <ul>
 *   <li>{@code expand}: {@code expanded} first (old shapes kept before the columns appear), then
 *       the expand DDL without the copied NOT NULL (a {@code CHECK … NOT VALID} is enforced on
 *       every new row at once, so old application writes would fail before dual-write fills the new
 *       column);
 *   <li>{@code backfill}: a backfill pass, then the deferred NOT NULL check added and validated,
 *       then {@code backfilled};
 *   <li>{@code verify}: a full verify, then {@code verified} if it found drift 0 (the drift is
 *       recorded either way);
 *   <li>{@code contract}: {@code contracted} first — so every instance stops using the old names —
 *       then, after the new state has reached this instance and a grace period, the contract DDL. A
 *       contract whose DDL failed is re-run from {@code contracted}.
 * </ul>
 *
 * Every job asks the lifecycle before it touches anything, so a refused job changes nothing; and
 * DDL jobs of one migration are serialised across instances by an advisory lock. Jobs run on the
 * default backend, which holds the state store (a backfill's checkpoint commits with its batch).
 */
public final class MigrationJobs {
  private static final Logger log = LoggerFactory.getLogger(MigrationJobs.class);

  /** The advisory lock key of DDL jobs (expand and contract) of one migration. */
  static final String DDL_LOCK = "ddl";

  private final Transitions transitions;
  private final DataSource database;
  private final String defaultBackend;
  private final StateFollower follower;
  private final DdlSettings ddlSettings;

  /** After a state change that DDL must follow (expand, contract): statements in flight end. */
  private final Duration ddlGrace;

  public MigrationJobs(
      Transitions transitions,
      DataSource database,
      String defaultBackend,
      StateFollower follower,
      DdlSettings ddlSettings,
      Duration ddlGrace) {
    this.transitions = Objects.requireNonNull(transitions, "transitions");
    this.database = Objects.requireNonNull(database, "database");
    this.defaultBackend = Objects.requireNonNull(defaultBackend, "defaultBackend");
    this.follower = Objects.requireNonNull(follower, "follower");
    this.ddlSettings = Objects.requireNonNull(ddlSettings, "ddlSettings");
    this.ddlGrace = Objects.requireNonNull(ddlGrace, "ddlGrace");
  }

  /** Who and where a job's transition is recorded as coming from in the audit log. */
  public record Origin(String actor, Optional<String> clientAddress) {}

  /**
   * The DDL {@code turnout expand --dry-run} prints: the expand plan, then the NOT NULL check the
   * backfill job adds once the new column is full. Nothing runs but catalog reads.
   */
  public String expandDryRun(String id)
      throws UnknownMigrationException, SQLException, DdlException {
    Migration m = onDefaultBackend(id);
    try (Connection c = database.getConnection()) {
      Catalog catalog = CatalogLoader.load(c);
      ExpandPlanner planner = new ExpandPlanner(new PostgresExpressionTypes(c));
      String expand = planner.plan(m, catalog, NotNull.LATER).render();
      DdlPlan later = planner.notNullPlan(m, catalog);
      if (later.steps().isEmpty()) {
        return expand;
      }
      return expand
          + "-- after the backfill, when "
          + m.table().qualified()
          + "'s new column holds a value in every row (turnout backfill runs it):\n"
          + later.render();
    }
  }

  /** The DDL {@code turnout contract --dry-run} prints. */
  public String contractDryRun(String id)
      throws UnknownMigrationException, SQLException, DdlException {
    Migration m = onDefaultBackend(id);
    try (Connection c = database.getConnection()) {
      return ContractPlanner.plan(m, CatalogLoader.load(c)).render();
    }
  }

  /** Checks the job is possible now; throws what {@link JobRunner} would report otherwise. */
  /** The limits the plan gives {@code id}'s backfill (a job's request may change them). */
  public BackfillLimits backfillLimits(String id) throws UnknownMigrationException {
    return BackfillLimits.of(transitions.migration(id).backfill());
  }

  /** True while a verify of {@code id} runs on any instance (it holds the verify lock). */
  boolean verifyRunning(String id) throws SQLException {
    try (Connection c = database.getConnection()) {
      return JobLock.held(c, Verify.JOB, id);
    }
  }

  public void precheck(String id, JobKind kind, Optional<String> confirm)
      throws UnknownMigrationException, TransitionRefusedException, SQLException {
    onDefaultBackend(id);
    if (kind == JobKind.CONTRACT && transitions.record(id).phase() == Phase.CONTRACTED) {
      return; // the DDL of a contract is re-run from contracted
    }
    transitions.check(id, request(kind, confirm));
  }

  /**
   * @param limits how hard a backfill may push (changeable while it runs, through its {@link Job})
   * @param repair a verify writes forward(old) into the drifting rows it finds
   */
  public JobRunner.Work work(
      String id,
      JobKind kind,
      Optional<String> confirm,
      JobOptions options,
      BackfillLimits limits,
      boolean repair,
      Origin origin) {
    return switch (kind) {
      case EXPAND -> job -> expand(job, id, origin);
      case BACKFILL -> job -> backfill(job, id, options, limits, origin);
      case VERIFY -> job -> verify(job, id, options, repair, origin);
      case CONTRACT -> job -> contract(job, id, confirm, origin);
    };
  }

  // ---------------------------------------------------------------- the jobs

  private End expand(Job job, String id, Origin origin) throws Exception {
    Migration m = onDefaultBackend(id);
    transitions.check(id, Request.of(Action.EXPAND));
    String done =
        underDdlLock(
            id,
            c -> {
              String state = enterExpanded(job, id, origin);
              DdlResult ddl =
                  runDdl(
                      job,
                      c,
                      new ExpandPlanner(new PostgresExpressionTypes(c))
                          .plan(m, CatalogLoader.load(c), NotNull.LATER));
              return state + "; expand: " + summary(ddl);
            });
    return new End(Status.SUCCEEDED, done);
  }

  /**
   * State first: from {@code expanded} on every instance sends {@code SELECT *} and {@code
   * RETURNING *} as the old column list, so the shape a client has prepared does not change when
   * the columns appear (pgJDBC would re-describe a statement mid-expand, then fail when the old
   * shape came back). Dual-write waits for the columns ({@link
   * io.turnout.admin.lifecycle.Guard#EXPANDED_COLUMNS}).
   */
  private String enterExpanded(Job job, String id, Origin origin) throws Exception {
    if (transitions.record(id).phase() != Phase.PLANNED) {
      return "already expanded; expand DDL re-run";
    }
    Transitions.Outcome o = record(id, Request.of(Action.EXPAND), 0, origin);
    job.say("waiting for the fleet to keep the old shapes before the columns are added");
    follower.awaitVersion(o.record().version(), Duration.ofSeconds(30));
    Thread.sleep(ddlGrace.toMillis());
    return describe(o);
  }

  private End backfill(Job job, String id, JobOptions options, BackfillLimits limits, Origin origin)
      throws Exception {
    Migration m = onDefaultBackend(id);
    transitions.check(id, Request.of(Action.BACKFILL));
    Backfill backfill = new Backfill(database, m, options, limits);
    job.runs(backfill);
    job.say("backfilling " + m.table().qualified());
    long started = System.nanoTime();
    BackfillResult r = backfill.run();
    job.putResult("rows_done", r.rowsDone());
    job.putResult("rows_changed", r.rowsChanged());
    job.putResult("batches", r.batches());
    if (r.state() == JobState.CANCELLED) {
      return new End(
          Status.CANCELLED,
          "backfill stopped after "
              + r.rowsDone()
              + " rows; its checkpoint is kept, so turnout backfill "
              + id
              + " resumes from there");
    }
    String pass =
        "backfill pass complete: "
            + r.rowsDone()
            + " rows, "
            + r.rowsChanged()
            + " written, in "
            + seconds(System.nanoTime() - started);
    DdlResult notNull =
        underDdlLock(
            id,
            c ->
                runDdl(
                    job,
                    c,
                    new ExpandPlanner(new PostgresExpressionTypes(c))
                        .notNullPlan(m, CatalogLoader.load(c))));
    Transitions.Outcome o = record(id, Request.of(Action.BACKFILL), 0, origin);
    return new End(
        Status.SUCCEEDED,
        pass
            + (notNull.plan().steps().isEmpty() ? "" : "; NOT NULL check: " + summary(notNull))
            + "; "
            + describe(o));
  }

  private End verify(Job job, String id, JobOptions options, boolean repair, Origin origin)
      throws Exception {
    Migration m = onDefaultBackend(id);
    transitions.check(id, Request.of(Action.VERIFY));
    Verify verify = new Verify(database, m, options, repair);
    job.trackRows(verify::progress);
    job.onCancel(verify::cancel);
    job.say("verifying " + m.table().qualified());
    VerifyResult r = verify.run();
    job.putResult("rows_checked", r.rowsChecked());
    job.putResult("drift", r.drift());
    job.putResult("sample_keys", r.sampleKeys());
    if (repair) {
      job.putResult("found", r.found());
      job.putResult("repaired", r.repaired());
    }
    if (r.state() != JobState.DONE) {
      return new End(
          Status.CANCELLED,
          "verify stopped after "
              + r.rowsChecked()
              + " rows; a partial verify proves nothing, and turnout verify "
              + id
              + " resumes it from its checkpoint");
    }
    Transitions.Outcome o = record(id, Request.of(Action.VERIFY), r.drift(), origin);
    if (r.drift() > 0 && o.record().phase().compareTo(Phase.READS) >= 0) {
      log.warn(
          "verify of {} found drift {} while reads are on the new path (first keys {}): raising"
              + " reads is refused until a verify finds 0; find the writer that bypassed Turnout,"
              + " then turnout verify {} --repair",
          id,
          r.drift(),
          r.sampleKeys(),
          id);
    }
    String found =
        "verify checked "
            + r.rowsChecked()
            + " rows: drift "
            + r.drift()
            + (repair ? " after repairing " + r.repaired() + " of " + r.found() + " drifting" : "")
            + (r.sampleKeys().isEmpty() ? "" : " (first keys " + r.sampleKeys() + ")");
    return new End(Status.SUCCEEDED, found + "; " + describe(o));
  }

  private End contract(Job job, String id, Optional<String> confirm, Origin origin)
      throws Exception {
    Migration m = onDefaultBackend(id);
    MigrationRecord current = transitions.record(id);
    String state;
    if (current.phase() == Phase.CONTRACTED) {
      state = "already contracted; contract DDL re-run";
    } else {
      Transitions.Outcome o = record(id, request(JobKind.CONTRACT, confirm), 0, origin);
      state = describe(o);
      // Let every instance stop writing the old names before they go. This instance proves it
      // has the new state; the others follow within milliseconds (bench/propagation.sh), and the
      // grace period covers them and the statements already in flight.
      job.say("waiting for the fleet to stop using the old names");
      follower.awaitVersion(o.record().version(), Duration.ofSeconds(30));
      Thread.sleep(ddlGrace.toMillis());
    }
    DdlResult ddl =
        underDdlLock(id, c -> runDdl(job, c, ContractPlanner.plan(m, CatalogLoader.load(c))));
    return new End(Status.SUCCEEDED, state + "; contract: " + summary(ddl));
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface OnConnection<T> {
    T run(Connection c) throws Exception;
  }

  /** Runs {@code body} on one connection holding the migration's DDL lock (any instance). */
  private <T> T underDdlLock(String id, OnConnection<T> body) throws Exception {
    try (Connection c = database.getConnection()) {
      c.setAutoCommit(true);
      JobLock.acquire(c, DDL_LOCK, id);
      try {
        return body.run(c);
      } finally {
        JobLock.release(c, DDL_LOCK, id);
      }
    }
  }

  private DdlResult runDdl(Job job, Connection c, DdlPlan plan) throws DdlException {
    DdlResult r = new DdlRunner(ddlSettings, job.ddlListener()).run(c, plan);
    job.putResult(plan.phase().label() + "_steps", steps(r));
    return r;
  }

  private static List<String> steps(DdlResult r) {
    return IntStream.range(0, r.outcomes().size())
        .mapToObj(
            i ->
                r.outcomes().get(i).name().toLowerCase(Locale.ROOT)
                    + ": "
                    + r.plan().steps().get(i).description())
        .toList();
  }

  private static String summary(DdlResult r) {
    long applied = r.outcomes().stream().filter(o -> o != StepOutcome.SKIPPED).count();
    return r.plan().steps().size()
        + " steps, "
        + applied
        + " applied, "
        + (r.plan().steps().size() - applied)
        + " already in place"
        + (r.retries() == 0 ? "" : ", " + r.retries() + " lock retries")
        + ", in "
        + seconds(r.elapsed().toNanos());
  }

  private Transitions.Outcome record(String id, Request request, long drift, Origin origin)
      throws Exception {
    return transitions.apply(
        id, request, OptionalLong.empty(), drift, origin.actor(), origin.clientAddress());
  }

  private static String describe(Transitions.Outcome o) {
    return (o.changed() ? "" : "unchanged: ")
        + o.reason()
        + " (phase "
        + o.record().phase().name().toLowerCase(Locale.ROOT)
        + ", version "
        + o.record().version()
        + ")";
  }

  private static Request request(JobKind kind, Optional<String> confirm) {
    return switch (kind) {
      case EXPAND -> Request.of(Action.EXPAND);
      case BACKFILL -> Request.of(Action.BACKFILL);
      case VERIFY -> Request.of(Action.VERIFY);
      case CONTRACT -> Request.contract(confirm.orElse(null));
    };
  }

  private Migration onDefaultBackend(String id) throws UnknownMigrationException {
    Migration m = transitions.migration(id);
    if (!m.backend().equals(defaultBackend)) {
      throw new JobRefusedException(
          id
              + ": its table is on backend '"
              + m.backend()
              + "', but jobs run on the default backend '"
              + defaultBackend
              + "' (where the state store and checkpoints are); not supported yet");
    }
    return m;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
