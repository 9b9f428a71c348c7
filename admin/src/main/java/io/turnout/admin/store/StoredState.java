package io.turnout.admin.store;

import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.StateSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything the state store holds at one version: the records of migrations that left planned. */
public record StoredState(long version, Map<String, MigrationRecord> records) {
  public StoredState {
    records = Map.copyOf(records);
  }

  /** The record of {@code migrationId}; planned at version 0 when the store has none. */
  public MigrationRecord record(String migrationId) {
    MigrationRecord r = records.get(migrationId);
    return r == null ? MigrationRecord.planned(migrationId) : r;
  }

  /**
   * What the request path reads: every migration of the plan (those with no record planned);
   * records of migrations the plan no longer has are left out.
   */
  public StateSnapshot snapshot(List<? extends Migration> plan) {
    Map<String, MigrationState> states = new HashMap<>();
    for (Migration m : plan) {
      states.put(m.id(), record(m.id()).toState());
    }
    return new StateSnapshot(version, states);
  }
}
