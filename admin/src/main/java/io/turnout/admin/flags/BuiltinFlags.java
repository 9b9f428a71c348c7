package io.turnout.admin.flags;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;

/**
 * The default provider: Turnout's own lifecycle percentage is the whole rule, a key reads new iff
 * its {@link StickyBucket} is at most that percentage. Stateless.
 */
public final class BuiltinFlags implements FlagProvider {
  public static final BuiltinFlags INSTANCE = new BuiltinFlags();

  private BuiltinFlags() {}

  @Override
  public boolean readsNew(Migration migration, MigrationState state, String stickyKey) {
    return ReadCeiling.allows(migration, state, stickyKey);
  }

  @Override
  public String describe() {
    return "builtin: sticky bucket <= lifecycle read percentage";
  }

  @Override
  public void close() {}
}
