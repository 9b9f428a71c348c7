package io.turnout.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;

/** The refusal statement raises exactly the message and SQLSTATE asked for, whatever they hold. */
class RejectStatementIT {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain words",
        "it's \"quoted\" and back\\slashed",
        "ends the body early? $turnout_reject$; select 1; $turnout_reject$",
        "dollars $$ and $1 and $tag$",
        "line one\nline two",
        "unicode: café 日本"
      })
  void raises_theMessageVerbatim(String message) throws SQLException {
    for (boolean standardStrings : new boolean[] {true, false}) {
      try (Connection c = connect();
          Statement s = c.createStatement()) {
        s.execute("set standard_conforming_strings = " + (standardStrings ? "on" : "off"));
        assertThatThrownBy(() -> s.execute(RejectStatement.sql("0A000", message)))
            .isInstanceOfSatisfying(
                PSQLException.class,
                e -> {
                  assertThat(e.getSQLState()).isEqualTo("0A000");
                  assertThat(e.getServerErrorMessage().getMessage()).isEqualTo(message);
                });
      }
    }
  }

  @org.junit.jupiter.api.Test
  void refuses_aSqlstateThatIsNotOne() {
    assertThatThrownBy(() -> RejectStatement.sql("0A000'; drop", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Connection connect() throws SQLException {
    PostgresServer pg = PostgresProvider.shared();
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
  }
}
