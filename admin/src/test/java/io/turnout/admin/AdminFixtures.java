package io.turnout.admin;

import io.turnout.admin.store.StateFollower;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** What the admin module's integration tests share: one plan, and ways to reach a database. */
public final class AdminFixtures {
  private AdminFixtures() {}

  /** {@code rename-email}: users.email → email_address, shadow threshold 0.001. */
  public static final RenameColumn RENAME_EMAIL =
      new RenameColumn(
          "rename-email",
          "primary",
          new TableName("public", "users"),
          "email",
          "email_address",
          ReadPolicy.DEFAULT,
          new ShadowPolicy(0.1, 0.001),
          UnanalysablePolicy.DEFAULT);

  /**
   * {@link #RENAME_EMAIL}'s table as expand leaves it (both columns), for tests that move the state
   * past {@code expanded} without running the expand job.
   */
  public static void expandedUsers(PostgresServer pg, String db) throws SQLException {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text, email_address text)");
    }
  }

  public static DataSource dataSource(PostgresServer pg, String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(db));
    ds.setUser(pg.superuser());
    if (pg.superuserPassword() != null) {
      ds.setPassword(pg.superuserPassword());
    }
    return ds;
  }

  /** A follower's connector, tagged so a test can find (and kill) the followers' connections. */
  public static StateFollower.Connector followerConnector(PostgresServer pg, String db) {
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    p.setProperty("ApplicationName", "turnout-state-follower");
    return () -> DriverManager.getConnection(pg.jdbcUrl(db), p);
  }
}
