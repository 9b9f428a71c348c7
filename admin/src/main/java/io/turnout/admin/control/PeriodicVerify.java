package io.turnout.admin.control;

import io.turnout.admin.jobs.BackfillLimits;
import io.turnout.admin.jobs.JobOptions;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.store.StateFollower;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a verify job by itself for each migration whose reads are on the new path ({@code reads}
 * above 0%, {@code reads_new}, {@code writes_new}) once its last verify is older than the plan's
 * {@code verify.interval}. A verify records the drift it finds (audited, by {@value #ACTOR}), and
 * raising reads is refused until a verify finds 0 again, so a write that bypassed Turnout after the
 * rollout began stops the rollout instead of spreading. Each instance checks on its own timer; two
 * instances may now and then both start one (a verify is read-only).
 */
public final class PeriodicVerify implements Runnable {
  static final String ACTOR = "periodic verify";

  private static final Logger log = LoggerFactory.getLogger(PeriodicVerify.class);

  private final List<? extends Migration> plan;
  private final StateFollower follower;
  private final Transitions transitions;
  private final MigrationJobs jobs;
  private final JobRunner runner;
  private final Clock clock;

  public PeriodicVerify(
      List<? extends Migration> plan,
      StateFollower follower,
      Transitions transitions,
      MigrationJobs jobs,
      JobRunner runner,
      Clock clock) {
    this.plan = List.copyOf(plan);
    this.follower = follower;
    this.transitions = transitions;
    this.jobs = jobs;
    this.runner = runner;
    this.clock = clock;
  }

  /** One look at every migration; never throws (it runs on a timer). */
  @Override
  public void run() {
    for (Migration m : plan) {
      try {
        check(m);
      } catch (Exception e) {
        log.warn("periodic verify of {}: not started: {}", m.id(), e.toString());
      }
    }
  }

  private void check(Migration m) throws Exception {
    if (!m.verify().periodic()) {
      return;
    }
    Optional<MigrationState> s = follower.snapshot().of(m.id());
    if (s.isEmpty() || !readsNew(s.get())) {
      return;
    }
    MigrationRecord r = transitions.record(m.id());
    Instant due = r.verifiedAt().orElse(Instant.EPOCH).plus(m.verify().interval());
    if (clock.instant().isBefore(due) || runner.running(m.id()) || jobs.verifyRunning(m.id())) {
      return; // not due, or this instance runs a job of it, or some instance verifies it now
    }
    MigrationJobs.Origin origin = new MigrationJobs.Origin(ACTOR, Optional.empty());
    jobs.precheck(m.id(), JobKind.VERIFY, Optional.empty());
    Job job =
        runner.submit(
            m.id(),
            JobKind.VERIFY,
            ACTOR,
            jobs.work(
                m.id(),
                JobKind.VERIFY,
                Optional.empty(),
                JobOptions.DEFAULT,
                BackfillLimits.DEFAULT,
                false,
                origin));
    log.info(
        "periodic verify of {}: started {} (last verify {})",
        m.id(),
        job.id(),
        r.verifiedAt().map(Instant::toString).orElse("never"));
  }

  private static boolean readsNew(MigrationState s) {
    return (s.phase() == Phase.READS && s.readPercent() > 0)
        || s.phase() == Phase.READS_NEW
        || s.phase() == Phase.WRITES_NEW;
  }
}
