package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.TableName;
import io.turnout.config.state.Phase;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Executes every case of {@link RewriteCases} on PostgreSQL. Two databases: {@code old} holds the
 * fixture in its old shape, {@code new} the same data after expand and backfill. For each case the
 * statement the application wrote runs as the baseline (on {@code old} for old code, on {@code new}
 * for new code), and each variant the router produced runs on {@code new}; both in a transaction
 * that is rolled back, with sequences and the random seed reset before each run.
 *
 * <p>Checked: the same column labels, types and rows (RETURNING included) and the same row count;
 * the same parameter types inferred; after a write the same stored values in the application's
 * columns and, on {@code new}, {@code new = forward(old)} and {@code old = backward(new)} for every
 * row; and the same sequence positions, which proves a volatile expression ran as often as in the
 * original (once per stored value).
 */
@ExtendWith(PostgresExtension.class)
class RewriteCasesIT {
  private static final String OLD_SHAPE =
      "SELECT 'users', (id, email, name, status, age, login_count, tags, token)::text FROM users"
          + " UNION ALL SELECT 'orders', (id, user_id, total, status, note)::text FROM orders"
          + " UNION ALL SELECT 'contacts', (id, given, family, phone)::text FROM contacts"
          + " ORDER BY 1, 2";
  private static final String NEW_SHAPE =
      "SELECT 'users', (id, email_address, first_name, last_name, status, age, login_count, tags,"
          + " token)::text FROM users"
          + " UNION ALL SELECT 'orders', (id, user_id, total_cents, status, note)::text FROM orders"
          + " UNION ALL SELECT 'contacts', (id, display_name, phone)::text FROM contacts"
          + " ORDER BY 1, 2";
  private static final String BOTH_SHAPE =
      "SELECT id, email, name, email_address, first_name, last_name FROM users ORDER BY id";
  private static final String BROKEN_INVARIANTS =
      "SELECT 'users ' || id FROM users WHERE email_address IS DISTINCT FROM email"
          + " OR first_name IS DISTINCT FROM "
          + Fixture.FORWARD_FIRST
          + " OR last_name IS DISTINCT FROM "
          + Fixture.FORWARD_LAST
          + " OR name IS DISTINCT FROM "
          + Fixture.BACKWARD_NAME
          + " UNION ALL SELECT 'orders ' || id FROM orders"
          + " WHERE total_cents IS DISTINCT FROM "
          + Fixture.FORWARD_CENTS
          + " OR total IS DISTINCT FROM round("
          + Fixture.BACKWARD_TOTAL
          + ", 2)"
          + " UNION ALL SELECT 'contacts ' || id FROM contacts"
          + " WHERE display_name IS DISTINCT FROM "
          + Fixture.FORWARD_DISPLAY
          + " OR given IS DISTINCT FROM "
          + Fixture.BACKWARD_GIVEN
          + " OR family IS DISTINCT FROM "
          + Fixture.BACKWARD_FAMILY
          + " ORDER BY 1";
  private static final String SEQUENCES =
      "SELECT (SELECT last_value FROM users_id_seq), (SELECT last_value FROM ticket_seq),"
          + " (SELECT last_value FROM audit_id_seq), (SELECT last_value FROM orders_id_seq),"
          + " (SELECT last_value FROM contacts_id_seq)";

  private static Connection oldDb;
  private static Connection newDb;
  private static Connection contractedDb;
  private static Catalog loaded;
  private static Router router;

  @BeforeAll
  static void createDatabases(PostgresServer pg) throws SQLException {
    String oldName = pg.createDatabase("rewrite_old");
    String newName = pg.createDatabase("rewrite_new");
    String contractedName = pg.createDatabase("rewrite_contracted");
    oldDb = pg.connect(oldName);
    newDb = pg.connect(newName);
    contractedDb = pg.connect(contractedName);
    try (Statement s = contractedDb.createStatement()) {
      s.execute(Fixture.resource("fixture.sql"));
      s.execute(Fixture.resource("expand.sql"));
      s.execute(Fixture.resource("contract.sql"));
    }
    contractedDb.setAutoCommit(false);
    try (Statement s = oldDb.createStatement()) {
      s.execute(Fixture.resource("fixture.sql"));
    }
    try (Statement s = newDb.createStatement()) {
      s.execute(Fixture.resource("fixture.sql"));
      s.execute(Fixture.resource("expand.sql"));
    }
    loaded = CatalogLoader.load(newDb);
    router = new Router(Fixture.migrations(), () -> loaded);
    oldDb.setAutoCommit(false);
    newDb.setAutoCommit(false);
  }

  @AfterAll
  static void close() throws SQLException {
    oldDb.close();
    newDb.close();
    contractedDb.close();
  }

  static Stream<RewriteCase> cases() {
    return RewriteCases.all().stream();
  }

  @Test
  void catalogLoader_readsWhatTheUnitTestsAssume() {
    Catalog expected = Fixture.catalog();
    for (TableName t : expected.tables().keySet()) {
      TableInfo want = expected.table(t).orElseThrow();
      TableInfo got = loaded.table(t).orElseThrow(() -> new AssertionError("no table " + t));
      assertEquals(want.columns(), got.columns(), t.toString());
      assertEquals(want.primaryKey(), got.primaryKey(), t.toString());
      assertEquals(want.indexes(), got.indexes(), t.toString());
    }
    assertEquals(List.of("public"), loaded.searchPath());
  }

  @Test
  void invariants_holdOnTheFixture() throws SQLException {
    try (Statement s = newDb.createStatement();
        ResultSet rs = s.executeQuery(BROKEN_INVARIANTS)) {
      assertTrue(!rs.next(), "fixture data must be consistent");
    }
    newDb.rollback();
  }

  static Stream<Arguments> casesInOtherPhases() {
    return RewriteCases.all().stream()
        .filter(c -> c.phase == Phase.READS && c.kind != RewriteCase.Kind.REJECT && !c.noExec)
        .flatMap(
            c ->
                Stream.of(Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READS_NEW, Phase.WRITES_NEW)
                    .map(p -> Arguments.of(c, p)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void variants_storeAndReturnWhatTheOriginalDoes(RewriteCase c) throws SQLException {
    Decision d = router.decide(c.sql, Fixture.state(c.phase));
    if (c.kind == RewriteCase.Kind.REJECT) {
      assertInstanceOf(Reject.class, d);
      return;
    }
    if (c.noExec) {
      return;
    }
    check(c, c.phase, d);
  }

  /**
   * The same cases decided in the other active phases (whatever the decision is there) must be just
   * as equivalent; a write refused in that phase (new code before dual-write) is skipped.
   */
  @ParameterizedTest
  @MethodSource("casesInOtherPhases")
  void variants_inOtherPhases_storeAndReturnWhatTheOriginalDoes(RewriteCase c, Phase phase)
      throws SQLException {
    Decision d = router.decide(c.sql, Fixture.state(phase));
    if (d instanceof Reject r) {
      assertTrue(phase == Phase.EXPANDED && c.schema != RewriteCase.Schema.OLD, r.message());
      return;
    }
    check(c, phase, d);
  }

  private void check(RewriteCase c, Phase phase, Decision d) throws SQLException {
    List<String> variants = new ArrayList<>();
    if (d instanceof PassThrough) {
      variants.add(c.sql);
    } else if (d instanceof Rewrite r) {
      variants.add(r.sql());
    } else if (d instanceof Route r) {
      variants.add(r.oldSql());
      variants.add(r.newSql());
    } else {
      throw new AssertionError("unexpected " + d);
    }
    // Old code is compared with the old schema, new code with the contracted one (what it is
    // written for), code that writes both sides with the expanded one. Before expand, the
    // database has the old shape.
    boolean newCode = c.schema == RewriteCase.Schema.NEW;
    Connection baselineDb =
        switch (c.schema) {
          case OLD -> oldDb;
          case NEW -> contractedDb;
          case BOTH -> newDb;
        };
    Connection variantDb = phase == Phase.PLANNED ? oldDb : newDb;
    String shape =
        newCode ? NEW_SHAPE : c.schema == RewriteCase.Schema.BOTH ? BOTH_SHAPE : OLD_SHAPE;
    boolean write = c.isWrite();
    PgRun baseline = run(baselineDb, c.sql, c, write ? shape : null, false);
    for (String variant : variants) {
      boolean checkInvariants = write && phase.dualWrites();
      PgRun actual = run(variantDb, variant, c, write ? shape : null, checkInvariants);
      String where = "variant: " + variant;
      assertEquals(baseline.error, actual.error, where);
      assertEquals(baseline.paramTypes, actual.paramTypes, "parameter types, " + where);
      assertEquals(baseline.labels, actual.labels, "labels, " + where);
      assertEquals(baseline.types, actual.types, "types, " + where);
      assertEquals(baseline.count, actual.count, "row count, " + where);
      if (!c.nondeterministic) {
        assertEquals(baseline.rows, actual.rows, "rows, " + where);
        assertEquals(baseline.snapshot, actual.snapshot, "stored values, " + where);
      }
      assertEquals(
          baseline.sequences, actual.sequences, "sequence positions (evaluations), " + where);
      assertEquals(
          List.of(), actual.broken, "rows where new != forward(old) or old != backward(new)");
    }
    if (newCode && !write && d instanceof Route r) {
      // The old variant of a new-code read reads only old columns: it runs on the old database.
      PgRun onOld = run(oldDb, r.oldSql(), c, null, false);
      assertEquals(baseline.rows, onOld.rows, "old variant on the old database");
      assertEquals(baseline.labels, onOld.labels);
      assertEquals(baseline.types, onOld.types);
    }
  }

  private static PgRun run(
      Connection db, String sql, RewriteCase c, String shape, boolean invariants)
      throws SQLException {
    return PgRun.run(
        db,
        sql,
        c.params,
        c.ordered(),
        new PgRun.Checks(
            shape,
            invariants ? BROKEN_INVARIANTS : null,
            SEQUENCES,
            "SELECT setval('users_id_seq', 5000, false), setval('ticket_seq', 9000, false),"
                + " setval('audit_id_seq', 7000, false), setval('orders_id_seq', 6000, false),"
                + " setval('contacts_id_seq', 4000, false)"));
  }
}
