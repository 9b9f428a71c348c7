package io.turnout.admin.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.admin.AdminFixtures;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.Guard;
import io.turnout.admin.lifecycle.Request;
import io.turnout.admin.store.ConflictException;
import io.turnout.admin.store.StateStore;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.state.Phase;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class TransitionsIT {
  private static final RenameColumn PLAN = AdminFixtures.RENAME_EMAIL;

  private record Fixture(StateStore store, Transitions transitions, String db) {}

  private static Fixture fixture(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("transitions");
    AdminFixtures.expandedUsers(pg, db);
    StateStore store = new StateStore(AdminFixtures.dataSource(pg, db));
    store.initialize();
    return new Fixture(
        store,
        new Transitions(List.of(PLAN), store, Transitions.storeEvidence(store, Clock.systemUTC())),
        db);
  }

  private static Transitions.Outcome run(Transitions t, Request r, long drift) throws Exception {
    return t.apply(PLAN.id(), r, OptionalLong.empty(), drift, "alice", Optional.of("127.0.0.1"));
  }

  @Test
  void journey_toReads_thenRefusals_changeNothing(PostgresServer pg) throws Exception {
    Fixture f = fixture(pg);
    Transitions t = f.transitions();
    run(t, Request.of(Action.EXPAND), 0);
    run(t, Request.of(Action.DUAL_WRITE_ON), 0);
    run(t, Request.of(Action.BACKFILL), 0);
    assertThat(run(t, Request.of(Action.VERIFY), 0).record().phase()).isEqualTo(Phase.VERIFIED);
    run(t, Request.percent(Action.READS, 5), 0);
    long version = f.store().load().version();
    int audit = f.store().audit(Optional.empty(), 100).size();
    assertThat(audit).isEqualTo(5);

    // Shadow data above the plan's threshold: raising reads is refused, nothing changes.
    try (Connection c = pg.connect(f.db());
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO turnout.shadow_totals (migration_id, compared, mismatched)"
              + " VALUES ('rename-email', 1000, 5)");
    }
    assertThatThrownBy(() -> run(t, Request.percent(Action.READS, 25), 0))
        .isInstanceOfSatisfying(
            TransitionRefusedException.class,
            e -> assertThat(e.refusal().guard()).isEqualTo(Guard.SHADOW_MISMATCH_RATE))
        .hasMessage(
            "rename-email: shadow mismatch rate 0.0050 (5 of 1000 reads) is above the plan's"
                + " max_mismatch_rate 0.0010");
    assertThatThrownBy(() -> run(t, Request.of(Action.WRITES_NEW), 0))
        .isInstanceOf(TransitionRefusedException.class);
    assertThatThrownBy(
            () ->
                t.apply(
                    "no-such",
                    Request.of(Action.ROLLBACK),
                    OptionalLong.empty(),
                    0,
                    "a",
                    Optional.empty()))
        .isInstanceOf(UnknownMigrationException.class)
        .hasMessage("no migration 'no-such' in the plan (migrations: rename-email)");
    assertThat(f.store().load().version()).isEqualTo(version);
    assertThat(f.store().audit(Optional.empty(), 100)).hasSize(audit);

    // Rollback always works and puts reads back on the old path.
    Transitions.Outcome back = run(t, Request.of(Action.ROLLBACK), 0);
    assertThat(back.record().phase()).isEqualTo(Phase.VERIFIED);
    assertThat(back.record().toState().readPercent()).isZero();
  }

  @Test
  void apply_staleExpectedVersion_conflicts_andChangesNothing(PostgresServer pg) throws Exception {
    Fixture f = fixture(pg);
    Transitions t = f.transitions();
    long seen = run(t, Request.of(Action.EXPAND), 0).record().version();
    run(t, Request.of(Action.DUAL_WRITE_ON), 0); // another operator, meanwhile
    assertThatThrownBy(
            () ->
                t.apply(
                    PLAN.id(),
                    Request.of(Action.ROLLBACK),
                    OptionalLong.of(seen),
                    0,
                    "bob",
                    Optional.empty()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("expected version " + seen + ", now " + (seen + 1));
    assertThat(f.store().load().record(PLAN.id()).phase()).isEqualTo(Phase.DUAL_WRITE);
  }
}
