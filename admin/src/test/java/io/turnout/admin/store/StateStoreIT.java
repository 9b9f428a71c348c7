package io.turnout.admin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.admin.AdminFixtures;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class StateStoreIT {
  private static final RenameColumn PLAN = AdminFixtures.RENAME_EMAIL;

  private static DataSource dataSource(PostgresServer pg, String db) {
    return AdminFixtures.dataSource(pg, db);
  }

  private static Change change(MigrationRecord from, Phase to, String actor) {
    return new Change(
        from,
        from.withPhase(to, Instant.now()),
        Action.EXPAND,
        actor,
        Optional.of("127.0.0.1"),
        "test");
  }

  @Test
  void apply_compareAndSet_oneWinsOneConflicts_auditHasOneRow(PostgresServer pg) throws Exception {
    StateStore store = new StateStore(dataSource(pg, pg.createDatabase("cas")));
    store.initialize();
    MigrationRecord planned = store.load().record(PLAN.id());
    MigrationRecord stored = store.apply(change(planned, Phase.EXPANDED, "alice"));
    assertThat(stored.version()).isEqualTo(1);
    assertThatThrownBy(() -> store.apply(change(planned, Phase.EXPANDED, "bob")))
        .isInstanceOf(ConflictException.class)
        .hasMessage(
            "migration rename-email changed meanwhile (expected version 0, now 1, by alice:"
                + " expand); nothing was changed: look at turnout status and try again");
    StoredState after = store.load();
    assertThat(after.version()).isEqualTo(1);
    assertThat(after.record(PLAN.id()).phase()).isEqualTo(Phase.EXPANDED);
    List<AuditEntry> audit = store.audit(Optional.of(PLAN.id()), 10);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).actor()).isEqualTo("alice");
    assertThat(audit.get(0).fromPhase()).isEqualTo("planned");
    assertThat(audit.get(0).toPhase()).isEqualTo("expanded");
  }

  @Test
  void restart_aNewStoreOnTheSameDatabase_readsTheSameState(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("restart");
    StateStore first = new StateStore(dataSource(pg, db));
    first.initialize();
    MigrationRecord r = first.load().record(PLAN.id());
    r = first.apply(change(r, Phase.EXPANDED, "alice"));
    first.apply(
        new Change(
            r,
            r.withPhase(Phase.READS, Instant.now()).withReadPercent(25),
            Action.READS,
            "alice",
            Optional.empty(),
            "ramp"));
    StateStore second = new StateStore(dataSource(pg, db));
    second.initialize();
    StateSnapshot snapshot = second.load().snapshot(List.of(PLAN));
    assertThat(snapshot.version()).isEqualTo(2);
    assertThat(snapshot.of(PLAN.id()).orElseThrow().readPercent()).isEqualTo(25);
  }

  @Test
  void followers_threeInstances_convergeOnEveryChange_andResyncAfterTheirConnectionsDie(
      PostgresServer pg) throws Exception {
    String db = pg.createDatabase("follow");
    StateStore store = new StateStore(dataSource(pg, db));
    store.initialize();
    List<StateFollower> followers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        followers.add(
            new StateFollower(
                    AdminFixtures.followerConnector(pg, db),
                    List.of(PLAN),
                    Duration.ofSeconds(30),
                    s -> {})
                .start());
      }
      MigrationRecord r = store.load().record(PLAN.id());
      for (Phase p : List.of(Phase.EXPANDED, Phase.DUAL_WRITE, Phase.BACKFILLED)) {
        r = store.apply(change(r, p, "alice"));
        for (StateFollower f : followers) {
          assertThat(f.awaitVersion(r.version(), Duration.ofSeconds(10))).isTrue();
          assertThat(f.snapshot().phase(PLAN.id())).isEqualTo(p);
        }
      }
      // The store drops every follower's connection; a change made while they reconnect must
      // still reach them (read on reconnect, not replayed from a notification they missed).
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = 'turnout-state-follower'");
      }
      r = store.apply(change(r, Phase.VERIFIED, "alice"));
      for (StateFollower f : followers) {
        assertThat(f.awaitVersion(r.version(), Duration.ofSeconds(15))).isTrue();
        assertThat(f.snapshot().phase(PLAN.id())).isEqualTo(Phase.VERIFIED);
        assertThat(f.health().everLoaded()).isTrue();
      }
    } finally {
      followers.forEach(StateFollower::close);
    }
  }

  @Test
  void follower_firstLoad_isHandedOn_evenWhenItEqualsTheInitialState(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("first_load");
    new StateStore(dataSource(pg, db)).initialize();
    BlockingQueue<StateSnapshot> seen = new LinkedBlockingQueue<>();
    try (StateFollower f =
        new StateFollower(
                AdminFixtures.followerConnector(pg, db),
                List.of(PLAN),
                Duration.ofSeconds(30),
                seen::add)
            .start()) {
      // The proxy refuses statements on managed tables until it is told the state: this is it.
      StateSnapshot first = seen.poll(10, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.phase(PLAN.id())).isEqualTo(Phase.PLANNED);
      // Health says loaded once the proxy has it (set just after the hand-over).
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!f.health().everLoaded() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(f.health().everLoaded()).isTrue();
    }
  }

  @Test
  void follower_storeUnreachableAtStart_reportsPlanned_andHandsNothingOn(PostgresServer pg)
      throws Exception {
    List<StateSnapshot> handedOn = new CopyOnWriteArrayList<>();
    StateFollower f =
        new StateFollower(
                () ->
                    DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1"),
                List.of(PLAN),
                Duration.ofSeconds(30),
                handedOn::add)
            .start();
    try {
      Thread.sleep(300);
      assertThat(f.snapshot().version()).isZero();
      assertThat(f.snapshot().phase(PLAN.id())).isEqualTo(Phase.PLANNED);
      assertThat(f.health().everLoaded()).isFalse();
      assertThat(f.health().connected()).isFalse();
      assertThat(f.health().lastError()).isPresent();
      assertThat(handedOn).isEmpty();
    } finally {
      f.close();
    }
  }
}
