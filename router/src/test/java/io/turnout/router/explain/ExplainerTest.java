package io.turnout.router.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.Phase;
import io.turnout.router.Router;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExplainerTest {
  private static final TableName USERS = new TableName("public", "users");
  private static final List<RenameColumn> PLAN =
      List.of(
          new RenameColumn(
              "rename-email",
              "primary",
              USERS,
              "email",
              "email_address",
              ReadPolicy.DEFAULT,
              ShadowPolicy.DEFAULT,
              UnanalysablePolicy.DEFAULT));
  private static final Catalog CATALOG =
      new Catalog(
          List.of("public"),
          Map.of(
              USERS,
              new TableInfo(
                  USERS,
                  List.of(
                      new ColumnInfo("id", "bigint", 20, true, Optional.empty()),
                      new ColumnInfo("email", "text", 25, true, Optional.empty()),
                      new ColumnInfo("email_address", "text", 25, false, Optional.empty())),
                  List.of("id"),
                  List.of())));
  private final Explainer explainer = new Explainer(new Router(PLAN, () -> CATALOG));

  private String json(String sql, Phase phase) {
    return Explainer.json(explainer.explain(sql, Explainer.stateFor(PLAN, phase)));
  }

  @Test
  void json_pass() {
    assertEquals("{\"kind\": \"pass\"}", json("select 1", Phase.READS));
  }

  @Test
  void json_rewriteOfAWrite_showsTheDualWrite() {
    assertEquals(
        "{\"kind\": \"rewrite\", \"sql\": \"update users set email = $1, email_address = $1\","
            + " \"migrations\": [\"rename-email\"]}",
        json("update users set email = $1", Phase.READS));
  }

  @Test
  void json_routeOfARead_showsBothVariants() {
    assertEquals(
        "{\"kind\": \"route\", \"old\": \"select email from users\", \"new\": \"select"
            + " email_address AS email from users\", \"migration\": \"rename-email\"}",
        json("select email from users", Phase.READS));
  }

  @Test
  void json_reject_withSqlstateAndMessage() {
    String j = json("copy users from stdin", Phase.DUAL_WRITE);
    assertTrue(
        j.startsWith("{\"kind\": \"reject\", \"sqlstate\": \"0A000\", \"message\": \"turnout:"), j);
  }

  @Test
  void json_severalStatements_isAnArray_andStringsAreEscaped() {
    String j = json("select 'a\"b'; select email from users where id = 1 -- x\n", Phase.READS);
    assertTrue(j.startsWith("[{\"kind\": \"pass\"},\n {\"kind\": \"route\""), j);
    assertTrue(j.contains("-- x\\n"), j);
  }

  @Test
  void text_namesPhaseAndVariants() {
    String t =
        Explainer.text(
            explainer.explain("select email from users", Explainer.stateFor(PLAN, Phase.READS)),
            Phase.READS);
    assertEquals(
        "phase: reads\nroute by rename-email's read percentage:\n"
            + "  old: select email from users\n  new: select email_address AS email from users\n",
        t);
  }
}
