package io.turnout.config.plan;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code backfill:}: the limits a migration's backfill starts with (an operator can change them
 * while it runs, and a job started through the API or CLI may set its own).
 *
 * @param batchTime each batch is sized toward this duration; zero keeps the batch size fixed
 * @param maxRowsPerSecond at most this many rows per second, 0 for no limit
 * @param maxActiveConnections wait while more client connections of the database run a statement, 0
 *     for no check
 * @param replicas standbys whose lag is checked, by {@code application_name} in {@code
 *     pg_stat_replication} on the primary
 * @param maxReplicaLag wait while a replica replays further behind
 * @param maxReplicaLagBytes wait while a replica has more WAL than this left to replay
 */
public record BackfillPolicy(
    Duration batchTime,
    long maxRowsPerSecond,
    int maxActiveConnections,
    List<String> replicas,
    Duration maxReplicaLag,
    long maxReplicaLagBytes) {
  public static final BackfillPolicy DEFAULT =
      new BackfillPolicy(Duration.ofMillis(50), 0, 0, List.of(), Duration.ofSeconds(10), 64L << 20);

  public BackfillPolicy {
    Objects.requireNonNull(batchTime, "batchTime");
    Objects.requireNonNull(maxReplicaLag, "maxReplicaLag");
    replicas = List.copyOf(replicas);
    if (batchTime.isNegative() || maxRowsPerSecond < 0 || maxActiveConnections < 0) {
      throw new IllegalArgumentException("backfill limits must not be negative");
    }
    if (maxReplicaLag.isNegative() || maxReplicaLag.isZero() || maxReplicaLagBytes <= 0) {
      throw new IllegalArgumentException("max replica lag must be positive");
    }
  }
}
