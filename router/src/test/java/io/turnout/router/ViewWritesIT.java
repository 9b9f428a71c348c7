package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.TableName;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes through a view over a managed table reach the table without naming it, so the router
 * cannot dual-write them: with the catalog loaded from PostgreSQL, such writes are refused while a
 * migration dual-writes, and reads of the view pass.
 */
@ExtendWith(PostgresExtension.class)
class ViewWritesIT {
  private static final TableName ACTIVE_USERS = new TableName("public", "active_users");
  private static Connection db;
  private static Catalog loaded;
  private static Router router;

  @BeforeAll
  static void createDatabase(PostgresServer pg) throws SQLException {
    db = pg.connect(pg.createDatabase("view_writes"));
    try (Statement s = db.createStatement()) {
      s.execute(Fixture.resource("fixture.sql"));
      s.execute(Fixture.resource("expand.sql"));
      s.execute(
          "CREATE VIEW active_users AS SELECT id, email, name FROM users WHERE status = 'active'");
      s.execute("CREATE VIEW active_users_again AS SELECT * FROM active_users");
      s.execute("CREATE SCHEMA app");
      s.execute("CREATE VIEW app.user_emails AS SELECT id, email FROM users");
      s.execute("CREATE VIEW audit_view AS SELECT * FROM audit");
      s.execute("CREATE MATERIALIZED VIEW user_ids AS SELECT id FROM users");
    }
    loaded = CatalogLoader.load(db);
    router = new Router(Fixture.migrations(), () -> loaded);
    db.setAutoCommit(false);
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static StateSnapshot dualWrite() {
    return Fixture.state(Phase.DUAL_WRITE);
  }

  @Test
  void catalogLoader_readsWhatEachViewDependsOn() {
    assertEquals(Set.of(Fixture.USERS), loaded.views().get(ACTIVE_USERS));
    assertEquals(
        Set.of(ACTIVE_USERS), loaded.views().get(new TableName("public", "active_users_again")));
    assertEquals(Set.of(Fixture.USERS), loaded.views().get(new TableName("app", "user_emails")));
    assertEquals(
        Set.of(new TableName("public", "audit")),
        loaded.views().get(new TableName("public", "audit_view")));
    assertEquals(false, loaded.views().containsKey(new TableName("public", "user_ids")));
  }

  @Test
  void writeThroughTheView_reallySkipsTheNewColumn() throws SQLException {
    // Why the router must refuse it: PostgreSQL stores the row without email_address.
    try (Statement s = db.createStatement()) {
      s.execute("INSERT INTO active_users (email, name) VALUES ('v@example.com', 'Vi Ew')");
      try (ResultSet rs =
          s.executeQuery("SELECT email_address FROM users WHERE email = 'v@example.com'")) {
        assertTrue(rs.next());
        assertEquals(null, rs.getString(1));
      }
    } finally {
      db.rollback();
    }
  }

  @Test
  void writesThroughAViewOverAManagedTable_areRejectedNamingViewTableAndMigration() {
    for (String sql :
        List.of(
            "insert into active_users (email, name) values ('v@example.com', 'Vi Ew')",
            "update active_users set email = 'w@example.com' where id = 1",
            "delete from active_users where id = 1",
            "merge into active_users a using (values (1)) v(id) on a.id = v.id"
                + " when matched then update set name = 'x'",
            "with x as (update active_users set name = 'x' where id = 1 returning id)"
                + " select * from x",
            "UPDATE ONLY \"active_users\" SET name = 'x'",
            "insert into public.active_users (email) values ('a@example.com')")) {
      assertTrue(router.mayRoute(sql, dualWrite()), sql);
      Reject r = assertInstanceOf(Reject.class, router.decide(sql, dualWrite()), sql);
      assertEquals("0A000", r.sqlstate());
      assertTrue(
          r.message()
              .contains(
                  "writes through view public.active_users reach managed table public.users of"
                      + " migration rename-email and cannot be dual-written; write to public.users"
                      + " directly"),
          r.message());
    }
  }

  @Test
  void writesThroughAViewOverAView_andAQualifiedView_areRejected() {
    Reject again =
        assertInstanceOf(
            Reject.class,
            router.decide("update active_users_again set name = 'x' where id = 1", dualWrite()));
    assertTrue(again.message().contains("view public.active_users_again"), again.message());
    Reject qualified =
        assertInstanceOf(
            Reject.class,
            router.decide(
                "insert into app.user_emails (email) values ('q@example.com')", dualWrite()));
    assertTrue(qualified.message().contains("view app.user_emails"), qualified.message());
  }

  @Test
  void readsOfTheView_pass() {
    for (String sql :
        List.of(
            "select * from active_users where id = 1",
            "insert into audit (email) select email from active_users",
            "select * from active_users for update of active_users",
            "select * from app.user_emails")) {
      assertSame(PassThrough.INSTANCE, router.decide(sql, dualWrite()), sql);
    }
    assertEquals(0, router.stats().snapshot().unanalysedReads());
  }

  @Test
  void writesThroughOtherViews_andWithoutDualWrite_pass() {
    assertSame(
        PassThrough.INSTANCE,
        router.decide("insert into audit_view (email) values ('a@example.com')", dualWrite()));
    // user_emails outside the search path names no view here.
    assertSame(
        PassThrough.INSTANCE,
        router.decide("insert into user_emails (email) values ('a@example.com')", dualWrite()));
    // Before dual-write nothing is kept in sync yet, and after contract nothing is managed.
    String sql = "insert into active_users (email) values ('a@example.com')";
    assertSame(PassThrough.INSTANCE, router.decide(sql, Fixture.state(Phase.EXPANDED)));
    assertSame(PassThrough.INSTANCE, router.decide(sql, Fixture.state(Phase.CONTRACTED)));
  }
}
