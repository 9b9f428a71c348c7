package io.turnout.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code turnout explain} against a real catalog: JSON and text, default and explicit phase. */
@ExtendWith(PostgresExtension.class)
class ExplainCommandIT {
  private static final String PLAN =
      "backends:\n"
          + "  primary: postgresql://%s%s@%s:%d/%s\n"
          + "migrations:\n"
          + "  - id: rename-email\n"
          + "    kind: rename_column\n"
          + "    table: public.users\n"
          + "    from: email\n"
          + "    to: email_address\n";

  private static String run(Path plan, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new ExplainCommand());
    cl.setOut(new PrintWriter(out));
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = plan.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    assertEquals(0, cl.execute(all));
    return out.toString();
  }

  @Test
  void explain_defaultPhase_showsDualWriteAndBothReadVariants(PostgresServer pg, @TempDir Path dir)
      throws Exception {
    String db = pg.createDatabase("explain");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL,"
              + " email_address text)");
    }
    Path plan = dir.resolve("turnout.yaml");
    String password = pg.superuserPassword() == null ? "" : ":" + pg.superuserPassword();
    Files.writeString(
        plan, String.format(PLAN, pg.superuser(), password, pg.host(), pg.port(), db));
    assertEquals(
        "{\"kind\": \"rewrite\", \"sql\": \"update users set email = $1, email_address = $1 where"
            + " id = $2\", \"migrations\": [\"rename-email\"]}\n",
        run(plan, "--json", "update users set email = $1 where id = $2"));
    assertEquals(
        "{\"kind\": \"route\", \"old\": \"select email from users\", \"new\": \"select email_address"
            + " AS email from users\", \"migration\": \"rename-email\"}\n",
        run(plan, "--json", "select email from users"));
    assertEquals(
        "{\"kind\": \"pass\"}\n",
        run(plan, "--json", "--phase", "dual_write", "select email from users"));
    String text = run(plan, "select email from orders_that_do_not_exist");
    assertTrue(text.startsWith("phase: reads\npass"), text);
  }
}
