package io.turnout.admin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.admin.AdminFixtures;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A change the store acknowledged survives a crash of the server right after it, even where the
 * server runs with {@code synchronous_commit=off} (as the test clusters do, and some production
 * databases): an instance may already act on that version, so losing it would give the next change
 * the same version number with other content.
 */
class StateStoreCrashIT {

  @Test
  void apply_serverKilledRightAfter_changeSurvives() throws Exception {
    try (PostgresServer pg = PostgresProvider.start(PostgresOptions.named("store-crash"))) {
      assumeTrue(pg.restartUnsupported().isEmpty(), () -> pg.restartUnsupported().get());
      String db = pg.createDatabase("crash");
      StateStore store = new StateStore(AdminFixtures.dataSource(pg, db));
      store.initialize(); // not checkpointed: the schema, too, must survive the first kill
      String id = AdminFixtures.RENAME_EMAIL.id();
      for (int i = 1; i <= 3; i++) {
        MigrationRecord from = store.load().record(id);
        MigrationRecord to = from.withShadowPercent(i);
        long version =
            store
                .apply(new Change(from, to, Action.SHADOW, "crash-it", Optional.empty(), "t"))
                .version();
        pg.kill();
        pg.startAgain();
        StoredState after = store.load();
        assertThat(after.version()).as("version after kill %d", i).isEqualTo(version);
        assertThat(after.record(id).shadowPercent()).isEqualTo(i);
      }
    }
  }
}
