package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of {@link RewriteCases}: the decision kind, and the exact text where pinned. */
class RewriteCasesTest {
  private static final Router ROUTER = new Router(Fixture.migrations(), Fixture::catalog);

  static Stream<RewriteCase> cases() {
    return RewriteCases.all().stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void decision_matchesTable(RewriteCase c) {
    Decision d = ROUTER.decide(c.sql, Fixture.state(c.phase));
    switch (c.kind) {
      case PASS -> assertSame(PassThrough.INSTANCE, d, () -> "expected pass, got " + d);
      case REWRITE -> {
        Rewrite r = assertInstanceOf(Rewrite.class, d, () -> "expected rewrite, got " + d);
        if (c.expectedSql != null) {
          assertEquals(c.expectedSql, r.sql());
        }
        assertTrue(!r.migrationIds().isEmpty(), "a rewrite names its migrations");
      }
      case ROUTE -> {
        Route r = assertInstanceOf(Route.class, d, () -> "expected route, got " + d);
        if (c.expectedOld != null) {
          assertEquals(c.expectedOld, r.oldSql(), "old variant");
          assertEquals(c.expectedNew, r.newSql(), "new variant");
        }
      }
      case REJECT -> {
        Reject r = assertInstanceOf(Reject.class, d, () -> "expected reject, got " + d);
        assertEquals("0A000", r.sqlstate());
        assertTrue(r.message().contains(c.rejectFragment), r.message());
        assertTrue(r.message().contains("phase "), r.message());
        assertTrue(r.message().contains(" on table public."), r.message());
      }
    }
  }
}
