package io.turnout.config.state;

import java.util.Map;
import java.util.Optional;

/**
 * Every migration's state at one version. The request path reads only snapshots; a change
 * publishes a new one, so a decision cached under (statement, version) is never stale.
 */
public record StateSnapshot(long version, Map<String, MigrationState> migrations) {
  public static final StateSnapshot EMPTY = new StateSnapshot(0, Map.of());

  public StateSnapshot {
    migrations = Map.copyOf(migrations);
  }

  public Optional<MigrationState> of(String migrationId) {
    return Optional.ofNullable(migrations.get(migrationId));
  }

  public StateSnapshot with(MigrationState state) {
    var next = new java.util.HashMap<>(migrations);
    next.put(state.migrationId(), state);
    return new StateSnapshot(version + 1, next);
  }
}
