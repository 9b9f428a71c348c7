package io.turnout.admin.ddl;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Plain JDBC for the ITs' setup and checks. */
final class Sql {
  private Sql() {}

  static void exec(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The first column of every row, as text. */
  static List<String> rows(Connection c, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** The first column of the only row. */
  static String one(Connection c, String query) throws SQLException {
    List<String> rows = rows(c, query);
    if (rows.size() != 1) {
      throw new AssertionError(rows.size() + " rows from " + query + ": " + rows);
    }
    return rows.get(0);
  }
}
