package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.ReadPolicy.Stickiness;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.explain.Explainer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a routed read finds its key when the migration's reads are sticky by {@code users.id}. */
class StickyKeyTest {
  private static final int INT8 = 20;

  private final Catalog catalog = Fixture.catalog();
  private final Router router = new Router(List.of(keyedRename()), () -> catalog);
  private final StateSnapshot reads = Fixture.state(Phase.READS);

  private static RenameColumn keyedRename() {
    return new RenameColumn(
        Fixture.RENAME,
        "primary",
        Fixture.USERS,
        "email",
        "email_address",
        new ReadPolicy(Stickiness.KEY_COLUMN, Optional.of("id")),
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  private StickyKey keyOf(String sql) {
    return assertInstanceOf(Route.class, router.decide(sql, reads), sql).key();
  }

  @Test
  void aParameterComparedWithTheKeyColumn_isTheKey_eitherSide_castOrNot() {
    assertEquals(StickyKey.parameter(1, INT8), keyOf("select email from users where id = $1"));
    assertEquals(StickyKey.parameter(1, INT8), keyOf("select email from users where $1 = id"));
    assertEquals(
        StickyKey.parameter(2, INT8),
        keyOf("select email from users where status = $1 and (id = $2::bigint)"));
  }

  @Test
  void aLiteral_isTheKeyByItsValue_andStatementsSharingAShapeKeepTheirOwn() {
    assertEquals("42", keyOf("select email from users where id = 42").literal());
    assertEquals("43", keyOf("select email from users where id = 43").literal());
    assertEquals(1, router.stats().snapshot().analyses());
    assertEquals(
        "it's", keyOf("select email from users where status = 'a' and id = 'it''s'").literal());
  }

  @Test
  void inAJoin_theKeyColumnMustBeQualifiedByTheManagedTable() {
    String join = "select u.email from users u join orders o on o.user_id = u.id where ";
    assertEquals(StickyKey.parameter(2, INT8), keyOf(join + "o.id = $1 and u.id = $2"));
    assertNull(keyOf(join + "o.id = $1"));
    assertNull(keyOf(join + "id = $1"), "unqualified in a join: not certainly the users key");
  }

  @Test
  void aKeyThatIsAChoice_orNotAtTheTop_isNoKey() {
    assertNull(keyOf("select email from users where id = $1 or id = $2"));
    assertNull(keyOf("select email from users where not (id = $1)"));
    assertNull(keyOf("select email from users where id in ($1, $2)"));
    assertNull(keyOf("select email from users"));
  }

  @Test
  void explain_showsTheKey() {
    Explainer explainer = new Explainer(router);
    assertTrue(
        Explainer.json(explainer.explain("select email from users where id = $1", reads))
            .contains("\"sticky_key\": \"$1\""));
    assertTrue(
        Explainer.json(explainer.explain("select email from users where id = 42", reads))
            .contains("\"sticky_key\": \"42\""));
  }

  @Test
  void readsStickyBySession_haveNoKey() {
    Router bySession = new Router(List.of(Fixture.rename()), () -> catalog);
    Route r =
        assertInstanceOf(
            Route.class, bySession.decide("select email from users where id = $1", reads));
    assertNull(r.key());
  }
}
