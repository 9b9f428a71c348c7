package io.turnout.config.state;

/**
 * Runtime state of one migration: its phase and the percentages (0..100) of reads routed to the new
 * schema and shadowed. Immutable; a change produces a new snapshot with a higher version.
 */
public record MigrationState(String migrationId, Phase phase, int readPercent, int shadowPercent) {
  public MigrationState {
    if (readPercent < 0 || readPercent > 100) {
      throw new IllegalArgumentException("readPercent must be 0..100, was " + readPercent);
    }
    if (shadowPercent < 0 || shadowPercent > 100) {
      throw new IllegalArgumentException("shadowPercent must be 0..100, was " + shadowPercent);
    }
  }

  public static MigrationState planned(String migrationId) {
    return new MigrationState(migrationId, Phase.PLANNED, 0, 0);
  }
}
