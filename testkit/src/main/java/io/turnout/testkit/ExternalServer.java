package io.turnout.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server we do not run, given by {@code TURNOUT_TEST_PG_URL}: no config or pg_hba control ({@link
 * #managed()} is false, no auth fixtures). A named server other than the shared one is the same
 * server with a fresh database of its own; databases made through it are dropped on close.
 */
final class ExternalServer extends BaseServer {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalServer.class);
  private final List<String> created = new CopyOnWriteArrayList<>();

  private ExternalServer(String name, PostgresUrl url, String database) {
    super(
        "url",
        name,
        url.host(),
        url.port(),
        url.user(),
        url.password(),
        database,
        false,
        PgBinaries.clientTools(System.getenv()));
  }

  static ExternalServer start(PostgresOptions options, String rawUrl) throws SQLException {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    ExternalServer base = new ExternalServer(options.name(), url, url.database());
    try (Connection c = base.connect();
        Statement st = c.createStatement()) {
      st.execute("SELECT 1");
    } catch (SQLException e) {
      throw new SQLException(
          "cannot connect to TURNOUT_TEST_PG_URL " + url + ": " + e.getMessage(),
          e.getSQLState(),
          e);
    }
    if (PostgresOptions.DEFAULT.name().equals(options.name())) {
      return base;
    }
    // Another server on the same URL: a database of its own stands in for a separate server.
    String db = base.createDatabase("turnout_" + options.name());
    ExternalServer own = new ExternalServer(options.name(), url, db);
    own.created.add(db);
    if (options.logicalReplication() || !options.settings().isEmpty()) {
      LOG.info(
          "TURNOUT_TEST_PG_URL server '{}' is database {} on {}; its settings are not ours to change "
              + "(asked: logical={}, {})",
          options.name(),
          db,
          url,
          options.logicalReplication(),
          options.settings());
    }
    return own;
  }

  @Override
  Optional<String> cannotRestart() {
    return Optional.of(
        "an external server (" + PostgresProvider.URL_ENV + ") is not ours to kill and restart");
  }

  @Override
  void created(String database) {
    created.add(database);
  }

  @Override
  void stop() {
    if (created.isEmpty()) {
      return;
    }
    try (Connection c = connect(database().equals(created.get(0)) ? "postgres" : database());
        Statement st = c.createStatement()) {
      for (String db : created) {
        try {
          st.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
        } catch (SQLException e) {
          LOG.warn("Could not drop test database {} on {}: {}", db, this, e.getMessage());
        }
      }
    } catch (SQLException e) {
      LOG.warn("Could not drop test databases {} on {}: {}", created, this, e.getMessage());
    }
  }
}
