package io.turnout.config.state;

import io.turnout.config.plan.Migration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every migration's state at one version. The request path reads only snapshots; a change publishes
 * a new one. The router caches decisions under what they depend on (the phases, and the order of
 * read percentages when several migrations ramp at once), not the version, so a ramp keeps them.
 */
public record StateSnapshot(long version, Map<String, MigrationState> migrations) {
  public static final StateSnapshot EMPTY = new StateSnapshot(0, Map.of());

  public StateSnapshot {
    migrations = Map.copyOf(migrations);
  }

  /** Version 0 with every migration of the plan {@link Phase#PLANNED}, nothing routed. */
  public static StateSnapshot initial(List<? extends Migration> plan) {
    Map<String, MigrationState> states = new HashMap<>();
    for (Migration m : plan) {
      states.put(m.id(), MigrationState.planned(m.id()));
    }
    return new StateSnapshot(0, states);
  }

  /** The migration's phase; {@link Phase#PLANNED} for a migration the snapshot does not know. */
  public Phase phase(String migrationId) {
    MigrationState s = migrations.get(migrationId);
    return s == null ? Phase.PLANNED : s.phase();
  }

  public Optional<MigrationState> of(String migrationId) {
    return Optional.ofNullable(migrations.get(migrationId));
  }

  public StateSnapshot with(MigrationState state) {
    var next = new HashMap<>(migrations);
    next.put(state.migrationId(), state);
    return new StateSnapshot(version + 1, next);
  }
}
