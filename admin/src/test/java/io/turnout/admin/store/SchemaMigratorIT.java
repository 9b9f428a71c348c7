package io.turnout.admin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class SchemaMigratorIT {

  @Test
  void migrate_freshDatabase_createsEveryTableOnce(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("schema");
    try (Connection c = pg.connect(db)) {
      assertThat(SchemaMigrator.migrate(c)).isEqualTo(SchemaMigrator.SCRIPTS.size());
      assertThat(SchemaMigrator.migrate(c)).isEqualTo(SchemaMigrator.SCRIPTS.size());
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM"
                      + " information_schema.tables WHERE table_schema = 'turnout'")) {
        rs.next();
        assertThat(rs.getString(1))
            .isEqualTo(
                "audit,checkpoint,instance,migration_state,schema_version,shadow_totals,state,usage");
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM turnout.schema_version")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(SchemaMigrator.SCRIPTS.size());
      }
    }
  }

  @Test
  void migrate_threeInstancesAtOnce_applyEachScriptOnce(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("schema_race");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Callable<Integer> task =
            () -> {
              try (Connection c = pg.connect(db)) {
                return SchemaMigrator.migrate(c);
              }
            };
        results.add(pool.submit(task));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(SchemaMigrator.SCRIPTS.size());
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM turnout.state")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void statements_splitOnSemicolonLines_dropCommentOnlyChunks() {
    assertThat(SchemaMigrator.statements("-- head\nCREATE a\n;\n-- only\n;\nCREATE b\n"))
        .containsExactly("-- head\nCREATE a", "CREATE b");
  }
}
