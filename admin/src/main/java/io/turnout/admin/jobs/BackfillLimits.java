package io.turnout.admin.jobs;

import io.turnout.config.plan.BackfillPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How hard a backfill may push, changeable while it runs ({@link Backfill#limits(BackfillLimits)}):
 * each batch waits until every limit allows it, and the reason it waits shows in its progress.
 *
 * @param paused no batch starts until resumed (the batch in flight commits first)
 * @param batchTime the duration each batch is sized toward (the batch size adapts to it, so the
 *     application's writes never wait long behind a batch's row locks); zero keeps the size fixed
 * @param maxRowsPerSecond rows per second at most, 0 for no limit
 * @param maxActiveConnections wait while more of the database's client connections are running a
 *     statement ({@code pg_stat_activity} state {@code active}), 0 for no check
 * @param replicas standbys whose lag is checked, by their {@code application_name} in {@code
 *     pg_stat_replication} on the primary; a named one that is not streaming counts as lagging
 * @param maxReplicaLag wait while a replica's replay lag is longer
 * @param maxReplicaLagBytes wait while a replica has more WAL than this left to replay
 */
public record BackfillLimits(
    boolean paused,
    Duration batchTime,
    long maxRowsPerSecond,
    int maxActiveConnections,
    List<String> replicas,
    Duration maxReplicaLag,
    long maxReplicaLagBytes) {
  /** What a plan without a {@code backfill:} section gives. */
  public static final BackfillLimits DEFAULT = of(BackfillPolicy.DEFAULT);

  public BackfillLimits {
    Objects.requireNonNull(batchTime, "batchTime");
    Objects.requireNonNull(maxReplicaLag, "maxReplicaLag");
    replicas = List.copyOf(replicas);
    if (batchTime.isNegative()) {
      throw new IllegalArgumentException("batch time must not be negative: " + batchTime);
    }
    if (maxRowsPerSecond < 0) {
      throw new IllegalArgumentException(
          "max rows per second must be 0 (no limit) or more, was " + maxRowsPerSecond);
    }
    if (maxActiveConnections < 0) {
      throw new IllegalArgumentException(
          "max active connections must be 0 (no check) or more, was " + maxActiveConnections);
    }
    if (maxReplicaLag.isNegative() || maxReplicaLag.isZero() || maxReplicaLagBytes <= 0) {
      throw new IllegalArgumentException(
          "max replica lag must be positive, was " + maxReplicaLag + " / " + maxReplicaLagBytes);
    }
  }

  /** The limits a migration's plan gives its backfill, running (not paused). */
  public static BackfillLimits of(BackfillPolicy plan) {
    return new BackfillLimits(
        false,
        plan.batchTime(),
        plan.maxRowsPerSecond(),
        plan.maxActiveConnections(),
        plan.replicas(),
        plan.maxReplicaLag(),
        plan.maxReplicaLagBytes());
  }

  public BackfillLimits withPaused(boolean p) {
    return new BackfillLimits(
        p,
        batchTime,
        maxRowsPerSecond,
        maxActiveConnections,
        replicas,
        maxReplicaLag,
        maxReplicaLagBytes);
  }

  public BackfillLimits withMaxRowsPerSecond(long rows) {
    return new BackfillLimits(
        paused, batchTime, rows, maxActiveConnections, replicas, maxReplicaLag, maxReplicaLagBytes);
  }

  public BackfillLimits withMaxActiveConnections(int connections) {
    return new BackfillLimits(
        paused,
        batchTime,
        maxRowsPerSecond,
        connections,
        replicas,
        maxReplicaLag,
        maxReplicaLagBytes);
  }

  public BackfillLimits withBatchTime(Duration time) {
    return new BackfillLimits(
        paused,
        time,
        maxRowsPerSecond,
        maxActiveConnections,
        replicas,
        maxReplicaLag,
        maxReplicaLagBytes);
  }

  public BackfillLimits withReplicas(List<String> names, Duration lag, long lagBytes) {
    return new BackfillLimits(
        paused, batchTime, maxRowsPerSecond, maxActiveConnections, names, lag, lagBytes);
  }
}
