package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.route.Planner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RouterTest {
  private final AtomicReference<Catalog> catalog = new AtomicReference<>(Fixture.catalog());
  private final Router router = new Router(Fixture.migrations(), catalog::get);

  @Test
  void decide_noActiveMigration_passesWithoutLookingAtTheText() {
    assertSame(PassThrough.INSTANCE, router.decide("select * from users", StateSnapshot.EMPTY));
    assertEquals(0, router.stats().snapshot().analyses());
  }

  @Test
  void decide_statementNotNamingAManagedTable_passesWithoutAnalysis() {
    assertSame(
        PassThrough.INSTANCE,
        router.decide("select * from audit where id = $1", Fixture.state(Phase.READS)));
    assertEquals(0, router.stats().snapshot().analyses());
  }

  @Test
  void decide_sameTextAndVersion_isServedFromTheCache() {
    StateSnapshot s = Fixture.state(Phase.READS);
    Decision first = router.decide("select email from users where id = $1", s);
    Decision again = router.decide("select email from users where id = $1", s);
    assertSame(first, again);
    assertEquals(1, router.stats().snapshot().analyses());
    assertEquals(1, router.stats().snapshot().cacheHits());
  }

  @Test
  void decide_statementsDifferingOnlyInTheirValues_shareOneAnalysis() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    Rewrite a = (Rewrite) router.decide("update users set email = 'a@x' where id = 1", s);
    Rewrite b = (Rewrite) router.decide("update users set email = 'b@x' where id = 2", s);
    assertEquals(1, router.stats().snapshot().analyses());
    assertTrue(a.sql().contains("email_address = 'a@x'"), a.sql());
    assertTrue(b.sql().contains("email_address = 'b@x'") && b.sql().endsWith("id = 2"), b.sql());
  }

  @Test
  void cachedDecision_neverAnalyses_andServesWhatWasDecided() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    assertEquals(null, router.cachedDecision("update users set email = 'a' where id = 1", s, null));
    assertEquals(0, router.stats().snapshot().analyses());
    router.decide("update users set email = 'b' where id = 2", s);
    Rewrite c =
        (Rewrite)
            router.cachedDecision("update users set email = 'c' where id = 3", s, null).decision();
    assertTrue(c.sql().contains("email_address = 'c'"), c.sql());
    assertSame(
        PassThrough.INSTANCE,
        router.cachedDecision("select * from audit where id = 1", s, null).decision());
    assertEquals(1, router.stats().snapshot().analyses());
  }

  @Test
  void decide_newStateVersion_decidesAgain() {
    StateSnapshot reads = Fixture.state(Phase.READS);
    assertInstanceOf(Route.class, router.decide("select email from users", reads));
    StateSnapshot rolledBack =
        reads
            .with(new MigrationState(Fixture.RENAME, Phase.DUAL_WRITE, 0, 0))
            .with(new MigrationState(Fixture.SPLIT, Phase.DUAL_WRITE, 0, 0));
    assertSame(PassThrough.INSTANCE, router.decide("select email from users", rolledBack));
  }

  @Test
  void decide_underASessionSearchPath_resolvesThroughIt_andCachesPerPath() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    Map<TableName, TableInfo> tables = new HashMap<>(Fixture.catalog().tables());
    TableInfo users = tables.get(Fixture.USERS);
    TableName appUsers = new TableName("app", "users");
    tables.put(appUsers, new TableInfo(appUsers, users.columns(), users.primaryKey(), List.of()));
    catalog.set(new Catalog(List.of("public"), tables));
    String insert = "insert into users (email) values ($1)";
    assertInstanceOf(Rewrite.class, router.decideWithNames(insert, s, null).decision());
    // app.users comes first on this session's path: not the managed table, nothing to rewrite.
    assertSame(
        PassThrough.INSTANCE,
        router.decideWithNames(insert, s, List.of("app", "public")).decision());
    assertInstanceOf(
        Rewrite.class, router.decideWithNames(insert, s, List.of("public", "app")).decision());
    assertEquals(3, router.stats().snapshot().analyses());
    router.decideWithNames(insert, s, List.of("app", "public"));
    assertEquals(3, router.stats().snapshot().analyses());
  }

  @Test
  void decide_newCatalogSnapshot_invalidatesCachedDecisions() {
    StateSnapshot s = Fixture.state(Phase.READS);
    router.decide("select email from users", s);
    catalog.set(new Catalog(List.of("public"), Fixture.catalog().tables()));
    router.decide("select email from users", s);
    assertEquals(2, router.stats().snapshot().analyses());
  }

  @Test
  void decide_routeNamesTheRampingMigrationWithTheLowestPercentage() {
    StateSnapshot s =
        new StateSnapshot(
            9,
            Map.of(
                Fixture.RENAME, new MigrationState(Fixture.RENAME, Phase.READS, 30, 0),
                Fixture.SPLIT, new MigrationState(Fixture.SPLIT, Phase.READS, 5, 0)));
    Route r = assertInstanceOf(Route.class, router.decide("select email, name from users", s));
    assertEquals(Fixture.SPLIT, r.migrationId());
    Route only = assertInstanceOf(Route.class, router.decide("select email from users", s));
    assertEquals(Fixture.RENAME, only.migrationId());
  }

  /** RENAME ramping its reads at {@code percent}; the other migrations in dual_write. */
  private static StateSnapshot ramp(long version, int percent) {
    Map<String, MigrationState> m = new HashMap<>();
    for (String id : List.of(Fixture.RENAME, Fixture.SPLIT, Fixture.CENTS, Fixture.MERGE)) {
      m.put(id, new MigrationState(id, Phase.DUAL_WRITE, 0, 0));
    }
    m.put(Fixture.RENAME, new MigrationState(Fixture.RENAME, Phase.READS, percent, 0));
    return new StateSnapshot(version, m);
  }

  @Test
  void decide_readPercentRamp_isServedFromTheCache() {
    String sql = "select email from users where id = $1";
    Decision first = router.decide(sql, ramp(1, 5));
    assertInstanceOf(Route.class, first);
    for (int p = 10, v = 2; p <= 100; p += 5, v++) {
      assertEquals(first, router.decide(sql, ramp(v, p)));
    }
    assertEquals(1, router.stats().snapshot().analyses());
    assertEquals(19, router.stats().snapshot().cacheHits());
  }

  @Test
  void decide_shadowPercentChange_isServedFromTheCache() {
    String sql = "select email from users where id = $1";
    StateSnapshot s = ramp(1, 5);
    router.decide(sql, s);
    router.decide(sql, s.with(new MigrationState(Fixture.RENAME, Phase.READS, 5, 40)));
    assertEquals(1, router.stats().snapshot().analyses());
    assertEquals(1, router.stats().snapshot().cacheHits());
  }

  @Test
  void decide_phaseChange_isACacheMiss() {
    String sql = "select email from users where id = $1";
    StateSnapshot s = ramp(1, 50);
    assertInstanceOf(Route.class, router.decide(sql, s));
    StateSnapshot readsNew = s.with(new MigrationState(Fixture.RENAME, Phase.READS_NEW, 100, 0));
    assertInstanceOf(Rewrite.class, router.decide(sql, readsNew));
    assertEquals(2, router.stats().snapshot().analyses());
    assertEquals(0, router.stats().snapshot().cacheHits());
  }

  @Test
  void decide_twoRampingMigrations_followTheLowestPercentageAcrossSnapshots() {
    String sql = "select email, name from users";
    StateSnapshot a =
        new StateSnapshot(
            1,
            Map.of(
                Fixture.RENAME, new MigrationState(Fixture.RENAME, Phase.READS, 30, 0),
                Fixture.SPLIT, new MigrationState(Fixture.SPLIT, Phase.READS, 5, 0)));
    assertEquals(Fixture.SPLIT, assertInstanceOf(Route.class, router.decide(sql, a)).migrationId());
    StateSnapshot b = a.with(new MigrationState(Fixture.SPLIT, Phase.READS, 20, 0));
    assertEquals(Fixture.SPLIT, assertInstanceOf(Route.class, router.decide(sql, b)).migrationId());
    StateSnapshot c = b.with(new MigrationState(Fixture.RENAME, Phase.READS, 10, 0));
    assertEquals(
        Fixture.RENAME, assertInstanceOf(Route.class, router.decide(sql, c)).migrationId());
    // Only the order of the ramping migrations' percentages matters: b reused a's decision.
    assertEquals(2, router.stats().snapshot().analyses());
  }

  @Test
  void decide_concurrentMissesOfOneStatement_analyseItOnce() throws Exception {
    int n = 8;
    CyclicBarrier start = new CyclicBarrier(n);
    AtomicBoolean together = new AtomicBoolean(true);
    Catalog cat = Fixture.catalog();
    // Every thread fetches the catalog before it looks in the cache: meet there, then race.
    Router r =
        new Router(
            Fixture.migrations(),
            () -> {
              if (together.get()) {
                try {
                  start.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
              return cat;
            });
    StateSnapshot s = Fixture.state(Phase.READS);
    String sql = "select u.email, u.name, o.total from users u join orders o on o.user_id = u.id";
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Decision>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(pool.submit(() -> r.decide(sql, s)));
      }
      Decision first = fs.get(0).get(60, TimeUnit.SECONDS);
      for (Future<Decision> f : fs) {
        assertSame(first, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      together.set(false);
      pool.shutdownNow();
    }
    assertEquals(1, r.stats().snapshot().analyses());
    assertEquals(n - 1, r.stats().snapshot().cacheHits());
  }

  @Test
  void constructor_cacheBoundedByWeight_evictsButStaysCorrect() {
    // 4 KiB holds a handful of statements; deciding many keeps it within the budget.
    Router small = new Router(Fixture.migrations(), catalog::get, 4 * 1024);
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    for (int i = 0; i < 200; i++) {
      assertInstanceOf(
          Rewrite.class, small.decide("update users set email = 'a' where id = " + i, s));
    }
    long weight = small.cachedWeight();
    assertTrue(weight > 0 && weight <= 4 * 1024, "weight " + weight);
    assertInstanceOf(Rewrite.class, small.decide("update users set email = 'a' where id = 0", s));
  }

  @Test
  void decide_unanalysableRead_isCounted() {
    router.decide("copy (select email from users) to stdout", Fixture.state(Phase.READS));
    assertEquals(1, router.stats().snapshot().unanalysedReads());
  }

  @Test
  void decide_rewriteThatChangesNothing_returnsTheOriginalAsPassThrough() {
    String sql = "update users set status = 'x' where email = $1";
    assertSame(PassThrough.INSTANCE, router.decide(sql, Fixture.state(Phase.READS)));
  }

  @Test
  void decide_writeInDualWrite_isRejectedWhenPolicyRejectsAndAnalysisFails() {
    Reject r =
        assertInstanceOf(
            Reject.class,
            router.decide(
                "insert into users (email) values ($x$a$x$)", Fixture.state(Phase.DUAL_WRITE)));
    assertEquals("0A000", r.sqlstate());
    assertEquals(true, r.message().contains("rename-email") && r.message().contains("dual_write"));
  }

  private static String nested(int depth) {
    return "(".repeat(depth) + "1" + ")".repeat(depth);
  }

  @Test
  void decide_deeplyNestedRead_takesTheOldPathInsteadOfThrowing() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    for (int depth : new int[] {1_000, 5_000}) {
      String sql = "select * from users where id = " + nested(depth);
      assertSame(PassThrough.INSTANCE, router.decide(sql, s), "depth " + depth);
      Planner.Outcome o = router.explain(sql, s);
      assertEquals(true, o.unanalysedRead(), "depth " + depth);
      assertEquals(true, o.reason().contains("nesting depth " + depth), o.reason());
    }
    assertEquals(2, router.stats().snapshot().unanalysedReads());
  }

  @Test
  void decide_deeplyNestedWrite_isRejectedInsteadOfThrowing() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    for (int depth : new int[] {1_000, 5_000}) {
      String sql = "update users set email = 'a' where id = " + nested(depth);
      Reject r = assertInstanceOf(Reject.class, router.decide(sql, s), "depth " + depth);
      assertEquals("0A000", r.sqlstate());
      assertEquals(true, r.message().contains("nesting depth " + depth), r.message());
    }
  }

  @Test
  void decide_nestingWithinTheBudget_isStillAnalysed() {
    String sql = "update users set email = 'a' where id = " + nested(50);
    Rewrite r =
        assertInstanceOf(Rewrite.class, router.decide(sql, Fixture.state(Phase.DUAL_WRITE)));
    assertEquals(List.of(Fixture.RENAME), r.migrationIds());
  }

  @Test
  void decide_unicodeEscapedManagedTable_writeIsRejectedReadTakesTheOldPath() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    String write = "insert into U&\"\\0075sers\" (email) values ('a')";
    assertEquals(true, router.mayRoute(write, s));
    Reject r = assertInstanceOf(Reject.class, router.decide(write, s));
    assertEquals("0A000", r.sqlstate());
    assertEquals(true, r.message().contains("Unicode-escaped identifier"), r.message());
    assertInstanceOf(
        Reject.class,
        router.decide("update U&\"!0075sers\" UESCAPE '!' set email = 'b' where id = 1", s));
    String read = "select email from U&\"\\0075sers\"";
    assertSame(PassThrough.INSTANCE, router.decide(read, s));
    assertEquals(1, router.stats().snapshot().unanalysedReads());
  }

  @Test
  void decide_unicodeEscapedOtherTable_passesThrough() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    assertSame(
        PassThrough.INSTANCE,
        router.decide("insert into U&\"\\0061udit\" (email) values ('a')", s));
    assertEquals(0, router.stats().snapshot().unanalysedReads());
  }

  @Test
  void decide_identifierTruncatedToAManagedName_writeIsRejected() {
    TableName longName = new TableName("public", "t".repeat(63));
    RenameColumn m =
        new RenameColumn(
            "rename-long",
            "primary",
            longName,
            "a",
            "b",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);
    Router r = new Router(List.of(m), () -> Catalog.EMPTY);
    StateSnapshot s =
        new StateSnapshot(1, Map.of(m.id(), new MigrationState(m.id(), Phase.DUAL_WRITE, 0, 0)));
    Reject reject =
        assertInstanceOf(
            Reject.class,
            r.decide("insert into " + longName.name() + "_and_more (a) values (1)", s));
    assertTrue(reject.message().contains("longer than 63 bytes"), reject.message());
  }

  @Test
  void decide_quotedQualifiedAndUpperCaseNames_areDualWritten() {
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    for (String table : List.of("\"users\"", "USERS", "public.users", "\"public\".\"users\"")) {
      Rewrite r =
          assertInstanceOf(
              Rewrite.class,
              router.decide("insert into " + table + " (email) values ('a')", s),
              table);
      assertEquals(List.of(Fixture.RENAME), r.migrationIds(), table);
    }
    // A differently cased quoted name is another table in PostgreSQL.
    assertSame(
        PassThrough.INSTANCE, router.decide("insert into \"Users\" (email) values ('a')", s));
  }

  /**
   * The fixture's catalog plus views: people over users, folks over people, log_view over audit.
   */
  private static Catalog withViews() {
    Catalog c = Fixture.catalog();
    TableName people = new TableName("public", "people");
    return new Catalog(
        c.searchPath(),
        c.tables(),
        Map.of(
            people,
            Set.of(Fixture.USERS),
            new TableName("public", "folks"),
            Set.of(people),
            new TableName("public", "log_view"),
            Set.of(new TableName("public", "audit"))));
  }

  @Test
  void decide_writeThroughAViewOverAManagedTable_isRejectedReadPasses() {
    catalog.set(withViews());
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    for (String sql :
        List.of(
            "insert into people (email) values ('a')",
            "INSERT INTO \"people\" (email) VALUES ('a')",
            "update only people set name = 'b'",
            "delete from only public.people where id = 1",
            "merge into people t using src on t.id = src.id when matched then delete",
            "copy people (email) from stdin",
            "do $$ begin insert into people (email) values ('a'); end $$",
            "update folks set name = 'b'")) {
      assertTrue(router.mayRoute(sql, s), sql);
      Reject r = assertInstanceOf(Reject.class, router.decide(sql, s), sql);
      assertTrue(
          r.message().contains("reach managed table public.users of migration rename-email"),
          r.message());
    }
    for (String sql :
        List.of(
            "select * from people",
            "select * from folks for update of folks",
            "insert into audit (email) select email from people",
            "update log_view set name = 'b'",
            "select * from \"People\"")) {
      assertSame(PassThrough.INSTANCE, router.decide(sql, s), sql);
    }
  }

  @Test
  void decide_viewsComeFromTheCurrentCatalog() {
    String sql = "insert into people (email) values ('a')";
    StateSnapshot s = Fixture.state(Phase.DUAL_WRITE);
    assertEquals(false, router.mayRoute(sql, s));
    assertSame(PassThrough.INSTANCE, router.decide(sql, s));
    catalog.set(withViews());
    assertInstanceOf(Reject.class, router.decide(sql, s));
  }

  @Test
  void split_returnsEachStatement() {
    assertEquals(2, Router.split("select 1; select 'a;b'").size());
  }

  @Test
  void constructor_badPlanExpression_failsWithTheMigrationId() {
    TransformColumn bad =
        new TransformColumn(
            "bad",
            "primary",
            Fixture.USERS,
            List.of("name"),
            List.of("first_name"),
            Map.of("first_name", "split_part(nope, ' ', 1)"),
            Map.of("name", "first_name"),
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Router(List.of(bad), catalog::get));
    assertEquals(true, e.getMessage().contains("bad"), e.getMessage());
  }

  @Test
  void decide_isThreadSafe_sameDecisionFromManyThreads() throws Exception {
    StateSnapshot s = Fixture.state(Phase.READS);
    String sql = "update users set name = $1 where id = $2";
    Decision expected = new Router(Fixture.migrations(), catalog::get).decide(sql, s);
    Thread[] threads = new Thread[4];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 200; i++) {
                    assertEquals(expected, router.decide(sql, s));
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertSame(null, failure.get());
    assertNotSame(PassThrough.INSTANCE, expected);
  }
}
