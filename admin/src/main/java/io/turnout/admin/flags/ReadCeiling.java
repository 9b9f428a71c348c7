package io.turnout.admin.flags;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;

/**
 * The share of reads the lifecycle allows on the new schema, the ceiling every {@link FlagProvider}
 * works under: {@code READS} → the state's read percentage, {@code READS_NEW} and {@code
 * WRITES_NEW} → 100, every other phase → 0. Because a provider can only lower it, a rollback (which
 * changes the phase) moves reads back to the old path at once, whatever a flag server says.
 */
public final class ReadCeiling {
  private ReadCeiling() {}

  /** The lifecycle's read percentage, 0..100. */
  public static int percent(MigrationState state) {
    switch (state.phase()) {
      case READS:
        return state.readPercent();
      case READS_NEW:
      case WRITES_NEW:
        return 100;
      default:
        return 0;
    }
  }

  /**
   * True when {@code stickyKey}'s bucket is within the lifecycle's percentage. Checks that the
   * state is this migration's, since routing by another migration's percentage would be a silent
   * bug.
   */
  public static boolean allows(Migration migration, MigrationState state, String stickyKey) {
    if (!migration.id().equals(state.migrationId())) {
      throw new IllegalArgumentException(
          "state of migration '"
              + state.migrationId()
              + "' ("
              + state.phase()
              + ", reads "
              + state.readPercent()
              + "%) passed for migration '"
              + migration.id()
              + "'");
    }
    int percent = percent(state);
    if (percent == 0) {
      return false; // no hash needed: the common case before and after a rollout
    }
    return percent == 100 || StickyBucket.of(migration.id(), stickyKey) <= percent;
  }
}
