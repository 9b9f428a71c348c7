package io.turnout.router;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one statement the way a client would (PREPARE/EXECUTE when it has parameters, so PostgreSQL
 * infers their types as for an extended-protocol Parse) inside a transaction that is rolled back,
 * and records what it showed: labels, types, rows, row count, inferred parameter types, error
 * SQLSTATE, and optional follow-up queries (stored values, broken invariants, sequence positions).
 * Sequences and the random seed are reset first, so two runs of equivalent statements agree
 * exactly.
 */
final class PgRun {
  String error;
  String errorMessage;
  String paramTypes;
  List<String> labels = List.of();
  List<String> types = List.of();
  List<String> rows = List.of();
  long count = -1;
  List<String> snapshot = List.of();
  List<String> broken = List.of();
  String sequences;

  /** Follow-up queries after the statement; any may be null. */
  record Checks(String snapshot, String broken, String sequences, String resetSequences) {}

  static PgRun run(Connection db, String sql, List<String> params, boolean ordered, Checks checks)
      throws SQLException {
    PgRun run = new PgRun();
    try (Statement s = db.createStatement()) {
      s.execute("SELECT setseed(0.5)");
      if (checks.resetSequences() != null) {
        s.execute(checks.resetSequences());
      }
      s.execute("SAVEPOINT before_case");
      try {
        boolean hasResult;
        if (params.isEmpty()) {
          hasResult = s.execute(sql);
        } else {
          s.execute("PREPARE turnout_case AS " + sql);
          try (ResultSet rs =
              s.executeQuery(
                  "SELECT parameter_types::text FROM pg_prepared_statements"
                      + " WHERE name = 'turnout_case'")) {
            rs.next();
            run.paramTypes = rs.getString(1);
          }
          hasResult = s.execute("EXECUTE turnout_case(" + String.join(", ", params) + ")");
        }
        if (hasResult) {
          try (ResultSet rs = s.getResultSet()) {
            read(rs, run, ordered);
          }
        } else {
          run.count = s.getUpdateCount();
        }
        if (checks.snapshot() != null) {
          try (ResultSet rs = s.executeQuery(checks.snapshot())) {
            PgRun snap = new PgRun();
            read(rs, snap, true);
            run.snapshot = snap.rows;
          }
        }
        if (checks.broken() != null) {
          try (ResultSet rs = s.executeQuery(checks.broken())) {
            PgRun broken = new PgRun();
            read(rs, broken, true);
            run.broken = broken.rows;
          }
        }
      } catch (SQLException e) {
        run.error = e.getSQLState();
        run.errorMessage = e.getMessage();
        s.execute("ROLLBACK TO SAVEPOINT before_case");
      }
      if (checks.sequences() != null) {
        try (ResultSet rs = s.executeQuery(checks.sequences())) {
          rs.next();
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            b.append(i > 1 ? "/" : "").append(rs.getString(i));
          }
          run.sequences = b.toString();
        }
      }
    } finally {
      db.rollback();
      try (Statement s = db.createStatement()) {
        s.execute("DEALLOCATE ALL");
      }
      db.rollback();
    }
    return run;
  }

  private static final java.util.Set<String> NOW_COLUMNS =
      java.util.Set.of("created_at", "updated_at");

  static void read(ResultSet rs, PgRun run, boolean ordered) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String> labels = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      labels.add(md.getColumnLabel(i));
      types.add(md.getColumnTypeName(i) + "(" + md.getPrecision(i) + "," + md.getScale(i) + ")");
    }
    List<String> rows = new ArrayList<>();
    while (rs.next()) {
      StringBuilder b = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        // now() differs between two transactions; everything else must match.
        String v = NOW_COLUMNS.contains(labels.get(i - 1)) ? "<now>" : rs.getString(i);
        b.append(i > 1 ? " | " : "").append(v);
      }
      rows.add(b.toString());
    }
    if (!ordered) {
      rows.sort(null);
    }
    run.labels = labels;
    run.types = types;
    run.rows = rows;
    run.count = rows.size();
  }
}
