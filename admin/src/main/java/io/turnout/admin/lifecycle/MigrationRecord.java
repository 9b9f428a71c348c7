package io.turnout.admin.lifecycle;

import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One migration as the state store holds it: what the request path sees ({@link #toState()}) plus
 * what the guards need (when the phase was entered, the last backfill and verify).
 *
 * @param version the state version of this record's last change; 0 for a migration never changed
 *     (no row yet: planned)
 * @param drift rows the last verify found different; empty when never verified
 */
public record MigrationRecord(
    String migrationId,
    Phase phase,
    int readPercent,
    int shadowPercent,
    long version,
    Instant phaseSince,
    Optional<Instant> backfilledAt,
    Optional<Instant> verifiedAt,
    OptionalLong drift) {
  public MigrationRecord {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(phaseSince, "phaseSince");
    Objects.requireNonNull(backfilledAt, "backfilledAt");
    Objects.requireNonNull(verifiedAt, "verifiedAt");
    Objects.requireNonNull(drift, "drift");
    new MigrationState(migrationId, phase, readPercent, shadowPercent); // validates ranges
  }

  /** A migration no one has touched: planned, version 0. */
  public static MigrationRecord planned(String migrationId) {
    return new MigrationRecord(
        migrationId,
        Phase.PLANNED,
        0,
        0,
        0,
        Instant.EPOCH,
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty());
  }

  /**
   * The share of reads the lifecycle lets the new path serve: the read percentage in {@code reads},
   * all of them in {@code reads_new} and {@code writes_new}, none otherwise.
   */
  public int effectiveReadPercent() {
    return switch (phase) {
      case READS -> readPercent;
      case READS_NEW, WRITES_NEW -> 100;
      default -> 0;
    };
  }

  /** What the request path reads. */
  public MigrationState toState() {
    return new MigrationState(migrationId, phase, effectiveReadPercent(), shadowPercent);
  }

  /** This record in {@code next}, entered at {@code at}. */
  public MigrationRecord withPhase(Phase next, Instant at) {
    return new MigrationRecord(
        migrationId,
        next,
        readPercent,
        shadowPercent,
        version,
        next == phase ? phaseSince : at,
        backfilledAt,
        verifiedAt,
        drift);
  }

  public MigrationRecord withReadPercent(int percent) {
    return new MigrationRecord(
        migrationId,
        phase,
        percent,
        shadowPercent,
        version,
        phaseSince,
        backfilledAt,
        verifiedAt,
        drift);
  }

  public MigrationRecord withShadowPercent(int percent) {
    return new MigrationRecord(
        migrationId,
        phase,
        readPercent,
        percent,
        version,
        phaseSince,
        backfilledAt,
        verifiedAt,
        drift);
  }

  public MigrationRecord withBackfilledAt(Instant at) {
    return new MigrationRecord(
        migrationId,
        phase,
        readPercent,
        shadowPercent,
        version,
        phaseSince,
        Optional.of(at),
        verifiedAt,
        drift);
  }

  public MigrationRecord withVerify(Instant at, long measuredDrift) {
    return new MigrationRecord(
        migrationId,
        phase,
        readPercent,
        shadowPercent,
        version,
        phaseSince,
        backfilledAt,
        Optional.of(at),
        OptionalLong.of(measuredDrift));
  }

  /**
   * Forgets the backfill and verify: once dual-write is off, writes stop reaching the new columns,
   * so neither says anything about them any more.
   */
  public MigrationRecord withoutVerification() {
    return new MigrationRecord(
        migrationId,
        phase,
        readPercent,
        shadowPercent,
        version,
        phaseSince,
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty());
  }

  /** This record as stored at {@code newVersion}. */
  public MigrationRecord atVersion(long newVersion) {
    return new MigrationRecord(
        migrationId,
        phase,
        readPercent,
        shadowPercent,
        newVersion,
        phaseSince,
        backfilledAt,
        verifiedAt,
        drift);
  }
}
