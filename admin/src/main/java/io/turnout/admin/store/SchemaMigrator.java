package io.turnout.admin.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates and upgrades the {@code turnout} control schema: numbered scripts under {@code
 * io/turnout/admin/store/schema/} ({@code V1__…sql}, {@code V2__…}), each applied once in its own
 * transaction and recorded in {@code turnout.schema_version}. A transaction-level advisory lock
 * makes instances that start together apply each script exactly once; nothing is ever run by hand.
 * See docs/decisions/0007 for why this is not Flyway.
 */
public final class SchemaMigrator {
  /** The scripts in order; add a file and a line here to evolve the schema. */
  static final List<String> SCRIPTS =
      List.of("V1__control_plane.sql", "V2__backfill_bounds.sql", "V3__verify_checkpoint.sql");

  /** Arbitrary but fixed: the advisory lock key all instances agree on for schema changes. */
  static final long LOCK_KEY = 0x7475726e6f7574L; // "turnout"

  private SchemaMigrator() {}

  /** Brings the schema to the newest version; returns that version. Blocking (JDBC). */
  public static int migrate(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      for (int i = 0; i < SCRIPTS.size(); i++) {
        int version = i + 1;
        DurableCommit.require(c); // a schema lost in a crash would stop every follower
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
          s.execute("CREATE SCHEMA IF NOT EXISTS turnout");
          s.execute(
              "CREATE TABLE IF NOT EXISTS turnout.schema_version (version integer PRIMARY KEY,"
                  + " script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        }
        if (applied(c) >= version) {
          c.commit();
          continue;
        }
        try (Statement s = c.createStatement()) {
          for (String sql : statements(script(SCRIPTS.get(i)))) {
            s.execute(sql);
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO turnout.schema_version (version, script) VALUES (?, ?)")) {
          ps.setInt(1, version);
          ps.setString(2, SCRIPTS.get(i));
          ps.executeUpdate();
        }
        c.commit();
      }
      return SCRIPTS.size();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static int applied(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT coalesce(max(version), 0) FROM turnout.schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Splits a script at lines that hold only ';' (our scripts' convention; no parsing needed). */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      if (line.strip().equals(";")) {
        add(out, current);
        current.setLength(0);
      } else {
        current.append(line).append('\n');
      }
    }
    add(out, current);
    return out;
  }

  private static void add(List<String> out, StringBuilder sql) {
    String text = sql.toString().strip();
    boolean onlyComments = text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"));
    if (!onlyComments) {
      out.add(text);
    }
  }

  private static String script(String name) {
    String path = "/io/turnout/admin/store/schema/" + name;
    try (InputStream in = SchemaMigrator.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("schema script " + path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
