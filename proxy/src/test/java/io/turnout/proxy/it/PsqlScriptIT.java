package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * psql scripts run twice, directly and through Turnout, each into a fresh database: the same exit
 * code, the same stdout and stderr, the same files written by {@code \copy}.
 */
class PsqlScriptIT {
  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @TempDir Path dir;

  /**
   * Simple and multi-statement queries, a transaction, \copy both ways, notices, an error it goes
   * past.
   */
  private static final String WORKFLOW =
      String.join(
          "\n",
          "create table items (id int primary key, name text not null, price numeric(8,2));",
          "insert into items values (1, 'one', 1.50), (2, 'two', 2.25);",
          "-- one Query message with three statements (psql sends \\; -separated statements together)",
          "insert into items values (3, 'three', 3.00) \\; update items set price = price + 1 where id = 3 \\;"
              + " select count(*) as after_multi from items;",
          "begin;",
          "update items set price = price * 2 where id = 1;",
          "select id, name, price from items order by id;",
          "commit;",
          "\\copy items from 'items.csv' with (format csv)",
          "select count(*) as rows, sum(price) as total, max(name) as last_name from items;",
          "\\copy (select * from items order by id) to 'items-out.csv' with (format csv, header)",
          "select 1 / 0 as boom;",
          "select 'still running after an error' as status;",
          "do $$ begin raise notice 'notice from plpgsql: %', (select count(*) from items); end $$;",
          "select 42 as answer, 'forty-two' as spelled \\gset",
          "\\echo answer is :answer (:spelled)",
          "select id, name, price from items where id <= 5 or id > 1000 order by id;",
          "");

  /** Stops at the failing statement: what follows must not run. */
  private static final String STOPS_ON_ERROR =
      String.join(
          "\n",
          "\\set ON_ERROR_STOP on",
          "create table t (id int primary key);",
          "insert into t values (1);",
          "insert into t values (1);",
          "insert into t values (2);",
          "");

  @Test
  void workflowScript_throughTurnout_printsAndWritesWhatItDoesDirectly() throws Exception {
    Path psql = ClientTools.require(turnout.postgres(), "psql");
    StringBuilder csv = new StringBuilder();
    for (int i = 4; i <= 1003; i++) {
      csv.append(i)
          .append(",\"item, number ")
          .append(i)
          .append("\",")
          .append(i % 100)
          .append(".25\n");
    }
    Outcome direct = runScript(psql, "direct", WORKFLOW, csv.toString(), false);
    Outcome viaTurnout = runScript(psql, "turnout", WORKFLOW, csv.toString(), true);

    assertThat(direct.run().exitCode()).as("direct run: %s", direct.run()).isZero();
    assertThat(direct.run().stdout())
        .contains("after_multi")
        .contains("    3\n") // the count after the multi-statement line
        .contains(" 1003 | 49759.25 | two") // after \copy in
        .contains("still running after an error")
        .contains("answer is 42 (forty-two)");
    assertThat(direct.run().stderr())
        .contains("division by zero")
        .contains("notice from plpgsql: 1003");
    assertThat(direct.copiedOut())
        .startsWith("id,name,price\n1,one,3.00\n")
        .contains("1003,\"item, number 1003\",3.25");

    assertThat(viaTurnout.run().exitCode()).isEqualTo(direct.run().exitCode());
    assertThat(viaTurnout.run().stdout()).isEqualTo(direct.run().stdout());
    assertThat(viaTurnout.run().stderr()).isEqualTo(direct.run().stderr());
    assertThat(viaTurnout.copiedOut()).isEqualTo(direct.copiedOut());
  }

  @Test
  void onErrorStop_throughTurnout_stopsWhereItStopsDirectly() throws Exception {
    Path psql = ClientTools.require(turnout.postgres(), "psql");
    Outcome direct = runScript(psql, "direct", STOPS_ON_ERROR, "", false);
    Outcome viaTurnout = runScript(psql, "turnout", STOPS_ON_ERROR, "", true);

    assertThat(direct.run().exitCode())
        .as("psql's exit code for an error with ON_ERROR_STOP")
        .isEqualTo(3);
    assertThat(direct.run().stderr()).contains("script.sql:4: ERROR:  duplicate key value");
    assertThat(viaTurnout.run().exitCode()).isEqualTo(3);
    assertThat(viaTurnout.run().stdout()).isEqualTo(direct.run().stdout());
    assertThat(viaTurnout.run().stderr()).isEqualTo(direct.run().stderr());
    for (String db : List.of(direct.database(), viaTurnout.database())) {
      try (Connection c = turnout.postgres().connect(db);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select array_agg(id order by id)::text from t")) {
        rs.next();
        assertThat(rs.getString(1)).as("rows in %s after the stop", db).isEqualTo("{1}");
      }
    }
  }

  @Test
  void multiStatementCommand_throughTurnout_runsAsOneQuery() throws Exception {
    Path psql = ClientTools.require(turnout.postgres(), "psql");
    // -c with several statements: one Query message, one implicit transaction.
    List<String> ok =
        List.of(
            "create table m (x int); insert into m select generate_series(1, 10); select sum(x) from m");
    List<String> failing =
        List.of(
            "create table m (x int); insert into m values (100); select 1 / 0;"
                + " insert into m values (200)");
    for (List<String> commands : List.of(ok, failing)) {
      Outcome direct = runCommands(psql, "direct", commands, false);
      Outcome viaTurnout = runCommands(psql, "turnout", commands, true);
      assertThat(viaTurnout.run().exitCode())
          .as("%s", viaTurnout.run())
          .isEqualTo(direct.run().exitCode());
      assertThat(viaTurnout.run().stdout()).isEqualTo(direct.run().stdout());
      assertThat(viaTurnout.run().stderr()).isEqualTo(direct.run().stderr());
    }
    Outcome sum = runCommands(psql, "turnout", ok, true);
    assertThat(sum.run().exitCode()).as("%s", sum.run()).isZero();
    assertThat(sum.run().stdout()).endsWith("55\n");
    Outcome failed = runCommands(psql, "turnout", failing, true);
    assertThat(failed.run().exitCode()).as("%s", failed.run()).isEqualTo(1);
    assertThat(failed.run().stderr()).contains("division by zero");
    try (Connection c = turnout.postgres().connect(failed.database());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from pg_tables where tablename = 'm'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("the failed multi-statement query was one transaction").isZero();
    }
  }

  /** Runs psql -c with the given commands, directly or through Turnout, into a fresh database. */
  private Outcome runCommands(Path psql, String name, List<String> commands, boolean throughTurnout)
      throws Exception {
    PostgresServer pg = turnout.postgres();
    String db = pg.createDatabase("psql_c_" + name);
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                psql.toString(),
                "-X",
                "-A",
                "-t",
                "-h",
                throughTurnout ? "127.0.0.1" : pg.host(),
                "-p",
                String.valueOf(throughTurnout ? turnout.address().getPort() : pg.port()),
                "-d",
                db));
    for (String c : commands) {
      command.add("-c");
      command.add(c);
    }
    return new Outcome(db, ClientTools.run(pg, command, Map.of(), dir, 60), "");
  }

  private record Outcome(String database, ClientTools.Run run, String copiedOut) {}

  /**
   * Runs the script with psql -f in a working directory of its own, directly or through Turnout.
   */
  private Outcome runScript(
      Path psql, String name, String script, String csv, boolean throughTurnout) throws Exception {
    PostgresServer pg = turnout.postgres();
    String db = pg.createDatabase("psql_" + name);
    Path work = Files.createDirectories(dir.resolve(name));
    Files.writeString(work.resolve("script.sql"), script, StandardCharsets.UTF_8);
    Files.writeString(work.resolve("items.csv"), csv, StandardCharsets.UTF_8);
    String host = throughTurnout ? "127.0.0.1" : pg.host();
    int port = throughTurnout ? turnout.address().getPort() : pg.port();
    ClientTools.Run run =
        ClientTools.run(
            pg,
            List.of(
                psql.toString(),
                "-X",
                "-h",
                host,
                "-p",
                String.valueOf(port),
                "-d",
                db,
                "-f",
                "script.sql"),
            Map.of(),
            work,
            120);
    Path out = work.resolve("items-out.csv");
    String copied = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    return new Outcome(db, run, copied);
  }
}
