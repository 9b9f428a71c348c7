package io.turnout.admin.control;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.turnout.admin.jobs.JobProgress;
import io.turnout.config.plan.Migration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Backfill and verify progress as gauges, per migration, read from the newest job of each kind on
 * this instance when scraped: {@code turnout_backfill_rows_done}, {@code …_rows_per_second}, {@code
 * …_eta_seconds} (NaN when unknown), {@code …_waiting} (1 while a backfill waits on its limits),
 * the same for verify, and {@code turnout_verify_drift_rows} (rows found drifting).
 */
final class JobMetrics {
  private JobMetrics() {}

  static void bind(JobRunner runner, List<? extends Migration> plan, MeterRegistry registry) {
    for (Migration m : plan) {
      for (JobKind kind : List.of(JobKind.BACKFILL, JobKind.VERIFY)) {
        String prefix = "turnout_" + kind.name().toLowerCase(Locale.ROOT) + "_";
        gauge(
            registry,
            runner,
            m,
            kind,
            prefix + "rows_done",
            "Rows covered by the pass",
            p -> p.rowsDone());
        gauge(
            registry,
            runner,
            m,
            kind,
            prefix + "rows_per_second",
            "Rows per second",
            JobProgress::rowsPerSecond);
        gauge(
            registry,
            runner,
            m,
            kind,
            prefix + "eta_seconds",
            "Time left at the current rate",
            p -> p.eta().map(d -> (double) d.toSeconds()).orElse(Double.NaN));
        gauge(
            registry,
            runner,
            m,
            kind,
            prefix + "waiting",
            "1 while the job waits on its limits (paused, rate, load, replica lag)",
            p -> p.waitingFor().isPresent() ? 1 : 0);
      }
      gauge(
          registry,
          runner,
          m,
          JobKind.VERIFY,
          "turnout_verify_drift_rows",
          "Rows the newest verify found where old and new disagree",
          p -> p.rowsChanged());
    }
  }

  private static void gauge(
      MeterRegistry registry,
      JobRunner runner,
      Migration m,
      JobKind kind,
      String name,
      String description,
      ToDoubleFunction<JobProgress> value) {
    Gauge.builder(
            name, runner, r -> newest(r, m.id(), kind).map(value::applyAsDouble).orElse(Double.NaN))
        .description(description)
        .tag("migration", m.id())
        .register(registry);
  }

  private static Optional<JobProgress> newest(JobRunner runner, String migrationId, JobKind kind) {
    for (Job j : runner.jobs()) {
      if (j.kind() == kind && j.migrationId().equals(migrationId)) {
        return j.rows();
      }
    }
    return Optional.empty();
  }
}
