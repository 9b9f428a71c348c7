package io.turnout.admin.jobs;

import io.turnout.admin.store.SchemaMigrator;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A users table after expand, the REFERENCE migrations over it, and small query helpers. */
final class JobFixtures {
  static final int ROWS = 20_000;

  static final String FIRST = "split_part(name, ' ', 1)";
  static final String LAST = "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')";

  static final Migration SPLIT_NAME =
      new TransformColumn(
          "split-name",
          "primary",
          new TableName("public", "users"),
          List.of("name"),
          List.of("first_name", "last_name"),
          Map.of("first_name", FIRST, "last_name", LAST),
          Map.of("name", "concat_ws(' ', first_name, last_name)"),
          ReadPolicy.DEFAULT,
          ShadowPolicy.DEFAULT,
          UnanalysablePolicy.DEFAULT);

  static final Migration RENAME_EMAIL =
      new RenameColumn(
          "rename-email",
          "primary",
          new TableName("public", "users"),
          "email",
          "email_address",
          ReadPolicy.DEFAULT,
          ShadowPolicy.DEFAULT,
          UnanalysablePolicy.DEFAULT);

  private JobFixtures() {}

  /** A fresh database with the control schema and {@code users} of {@link #ROWS} rows. */
  static String usersDatabase(PostgresServer pg) throws SQLException {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      SchemaMigrator.migrate(c);
      s.execute(
          "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text,"
              + " first_name text, last_name text, email_address text)");
      // Every tenth user has a one-word name, so last_name is sometimes null.
      s.execute(
          "INSERT INTO users (id, name, email) SELECT i, CASE WHEN i % 10 = 0 THEN 'Solo' || i"
              + " ELSE 'First' || i || ' Last ' || i END, 'user' || i || '@example.com'"
              + " FROM generate_series(1, "
              + ROWS
              + ") i");
    }
    return db;
  }

  static DataSource dataSource(PostgresServer pg, String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(db));
    ds.setUser(pg.superuser());
    if (pg.superuserPassword() != null) {
      ds.setPassword(pg.superuserPassword());
    }
    return ds;
  }

  static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Rows whose split columns are not what forward gives. */
  static long unsplit(Connection c) throws SQLException {
    return count(
        c,
        "SELECT count(*) FROM users WHERE first_name IS DISTINCT FROM "
            + FIRST
            + " OR last_name IS DISTINCT FROM "
            + LAST);
  }

  static String checkpoint(Connection c, String migrationId, String column) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT "
                    + column
                    + "::text FROM turnout.checkpoint WHERE job = 'backfill' AND migration_id = '"
                    + migrationId
                    + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
