package io.turnout.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away cluster from local binaries: initdb into a {@link ClusterDir}, pg_ctl start on a
 * free loopback port, pg_ctl stop -m immediate and delete on close. {@link #kill()} is the same
 * stop without the delete, and {@link #startAgain()} a pg_ctl start on the same port.
 *
 * @see <a href="https://www.postgresql.org/docs/current/app-pg-ctl.html">pg_ctl</a>
 */
final class LocalCluster extends BaseServer {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  static final String HOST = "127.0.0.1";
  private static final int PORT_ATTEMPTS = 5;

  private final ClusterDir dir;
  private final Path bin;
  private final RunAs runAs;
  private final Set<Standby> standbys = ConcurrentHashMap.newKeySet();

  private LocalCluster(String name, int port, ClusterDir dir, Path bin, RunAs runAs) {
    super("local", name, HOST, port, RunAs.POSTGRES, null, "postgres", true, Optional.of(bin));
    this.dir = dir;
    this.bin = bin;
    this.runAs = runAs;
  }

  Path directory() {
    return dir.root;
  }

  static LocalCluster start(PostgresOptions options, Path bin, RunAs runAs)
      throws IOException, SQLException {
    ClusterDir dir = ClusterDir.create("local", options.name(), bin, runAs);
    LocalCluster server = null;
    try {
      long t0 = System.nanoTime();
      runAs.own(dir.root);
      Exec.run(
          runAs.wrap(
              List.of(
                  bin.resolve("initdb").toString(),
                  "-D",
                  dir.data().toString(),
                  "-U",
                  RunAs.POSTGRES,
                  "--auth=trust",
                  "--encoding=UTF8",
                  "--locale=C",
                  "--no-sync")),
          dir.commandLog(),
          Duration.ofSeconds(120));
      Files.writeString(
          dir.data().resolve("postgresql.conf"),
          ClusterConfig.renderConf(ClusterConfig.settings(options, dir.root.toString())),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      long t1 = System.nanoTime();
      int port = startOnFreePort(dir, bin, runAs);
      long t2 = System.nanoTime();
      server = new LocalCluster(options.name(), port, dir, bin, runAs);
      AuthFixtures.install(server, ClusterConfig.LOOPBACK);
      LOG.debug(
          "Cluster {} {}: initdb {} ms, pg_ctl start {} ms, auth fixtures {} ms",
          dir.root,
          runAs.describe(),
          (t1 - t0) / 1_000_000,
          (t2 - t1) / 1_000_000,
          (System.nanoTime() - t2) / 1_000_000);
      return server;
    } catch (IOException | SQLException | RuntimeException e) {
      if (server != null) {
        server.stop();
      } else {
        stopAndDelete(dir, bin, runAs);
      }
      throw e;
    }
  }

  /**
   * The port is passed on the command line, not written to postgresql.conf, so a port taken between
   * probing and binding (other test JVMs do the same) costs one more try.
   */
  static int startOnFreePort(ClusterDir dir, Path bin, RunAs runAs) throws IOException {
    IOException last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      try {
        pgCtlStart(dir, bin, runAs, port);
        return port;
      } catch (IOException e) {
        last = e;
        String log = Exec.tail(dir.serverLog());
        if (!log.contains("could not bind") && !log.contains("could not create lock file")) {
          throw new IOException(
              e.getMessage() + "\nserver log " + dir.serverLog() + ":\n" + log, e);
        }
        LOG.debug("port {} was taken, retrying ({}/{})", port, attempt, PORT_ATTEMPTS);
      }
    }
    throw last;
  }

  /** pg_ctl start on {@code port}, waiting until the server accepts connections. */
  private static void pgCtlStart(ClusterDir dir, Path bin, RunAs runAs, int port)
      throws IOException {
    Exec.run(
        runAs.wrap(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.data().toString(),
                "-l",
                dir.serverLog().toString(),
                "-o",
                "-p " + port,
                "-w",
                "-t",
                "60",
                "start")),
        dir.commandLog(),
        Duration.ofSeconds(90));
  }

  /**
   * pg_ctl stop -m immediate: the postmaster SIGQUITs every backend and exits without a shutdown
   * checkpoint, as close to a crash as pg_ctl goes (the next start runs crash recovery).
   */
  private static void pgCtlStopImmediate(ClusterDir dir, Path bin, RunAs runAs) throws IOException {
    Exec.run(
        runAs.wrap(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.data().toString(),
                "-m",
                "immediate",
                "-w",
                "-t",
                "30",
                "stop")),
        dir.commandLog(),
        Duration.ofSeconds(45));
  }

  @Override
  Optional<String> cannotRestart() {
    return Optional.empty();
  }

  @Override
  synchronized void killNow() {
    if (ClusterDir.postmaster(dir.data()).isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      pgCtlStopImmediate(dir, bin, runAs);
    } catch (IOException e) {
      throw new IllegalStateException("could not kill " + this + ": " + e.getMessage(), e);
    }
    LOG.debug("Killed {} in {} ms", this, (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  synchronized void startAgainNow() {
    if (ClusterDir.postmaster(dir.data()).isPresent()) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      // The same port: clients (and the code under test) reconnect to the address they know.
      pgCtlStart(dir, bin, runAs, port());
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start "
              + this
              + " again: "
              + e.getMessage()
              + "\nserver log "
              + dir.serverLog()
              + ":\n"
              + Exec.tail(dir.serverLog()),
          e);
    }
    LOG.debug("Started {} again in {} ms", this, (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  Optional<String> cannotStartStandby() {
    if (!Files.isExecutable(bin.resolve("pg_basebackup"))) {
      return Optional.of("no pg_basebackup in " + bin + " to copy the primary with");
    }
    return Optional.empty();
  }

  @Override
  Standby startStandbyNow(String applicationName) {
    Standby standby;
    try {
      standby = Standby.basebackup(this, applicationName, bin, runAs, standbys::remove);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException(
          "could not start standby '" + applicationName + "' of " + this + ": " + e.getMessage(),
          e);
    }
    standbys.add(standby);
    return standby;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  @Override
  synchronized void stop() {
    // Standbys first: one left running would retry its primary's port forever.
    for (Standby s : List.copyOf(standbys)) {
      s.close();
    }
    stopAndDelete(dir, bin, runAs);
  }

  static void stopAndDelete(ClusterDir dir, Path bin, RunAs runAs) {
    long t0 = System.nanoTime();
    if (Files.exists(dir.data().resolve("postmaster.pid"))) {
      try {
        // immediate: the cluster is thrown away, so skip the shutdown checkpoint.
        pgCtlStopImmediate(dir, bin, runAs);
      } catch (IOException e) {
        LOG.warn("pg_ctl stop failed for {}; killing the postmaster: {}", dir.root, e.getMessage());
        ClusterDir.postmaster(dir.data()).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    try {
      ClusterDir.delete(dir.root);
    } catch (IOException e) {
      LOG.warn("Could not delete test cluster {}: {}", dir.root, e.toString());
    }
    LOG.debug("Stopped and removed {} in {} ms", dir.root, (System.nanoTime() - t0) / 1_000_000);
  }
}
