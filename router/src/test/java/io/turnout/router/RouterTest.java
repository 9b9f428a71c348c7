package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.route.Planner;
import java.util.List;
import java.util.Map;
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
