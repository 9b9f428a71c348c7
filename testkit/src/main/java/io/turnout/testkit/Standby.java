package io.turnout.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A physical streaming standby of a server we started ({@link PostgresServer#startStandby}): a
 * {@code pg_basebackup -R -X stream} copy of the primary in its own {@link ClusterDir}, started on
 * a free port, connected to the primary under {@link #applicationName()} so that it shows in the
 * primary's {@code pg_stat_replication}. It has no replication slot: a standby that falls far
 * behind is the test's to throw away, and a forgotten slot would make the primary keep WAL forever.
 *
 * <p>Closing stops it ({@code pg_ctl stop -m immediate}) and removes its directory; closing twice
 * is harmless. Its primary closes it too when it stops.
 *
 * @see <a href="https://www.postgresql.org/docs/current/app-pgbasebackup.html">pg_basebackup</a>
 * @see <a href="https://www.postgresql.org/docs/current/warm-standby.html">Log-shipping standby
 *     servers</a>
 */
public final class Standby implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Standby.class);
  private static final Duration STREAMING_WAIT = Duration.ofSeconds(60);

  private final String applicationName;
  private final int port;
  private final ClusterDir dir;
  private final Path bin;
  private final RunAs runAs;
  private final Consumer<Standby> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Standby(
      String applicationName,
      int port,
      ClusterDir dir,
      Path bin,
      RunAs runAs,
      Consumer<Standby> onClose) {
    this.applicationName = applicationName;
    this.port = port;
    this.dir = dir;
    this.bin = bin;
    this.runAs = runAs;
    this.onClose = onClose;
  }

  /**
   * Base backup of {@code primary}, started and streaming: returns once the standby accepts
   * connections, is in recovery, and the primary lists it as {@code streaming}.
   *
   * @param onClose called once when the standby is closed (the primary forgets it)
   */
  static Standby basebackup(
      BaseServer primary, String applicationName, Path bin, RunAs runAs, Consumer<Standby> onClose)
      throws IOException, SQLException {
    if (!applicationName.matches("[A-Za-z0-9_.-]{1,63}")) {
      // Keeps it a plain conninfo value and within NAMEDATALEN, as pg_stat_replication shows it.
      throw new IllegalArgumentException(
          "standby application_name must be 1-63 of [A-Za-z0-9_.-]: '" + applicationName + "'");
    }
    ClusterDir dir = ClusterDir.create("local", primary.name() + "-" + applicationName, bin, runAs);
    Standby standby = null;
    try {
      long t0 = System.nanoTime();
      runAs.own(dir.root);
      // -R writes standby.signal and a primary_conninfo made of these connection parameters, so
      // the standby connects back as application_name; -X stream copies the WAL written meanwhile.
      Exec.run(
          runAs.wrap(
              List.of(
                  bin.resolve("pg_basebackup").toString(),
                  "-d",
                  "host="
                      + primary.host()
                      + " port="
                      + primary.port()
                      + " user="
                      + primary.superuser()
                      + " application_name="
                      + applicationName,
                  "-D",
                  dir.data().toString(),
                  "-R",
                  "-X",
                  "stream",
                  "-c",
                  "fast",
                  "--no-sync")),
          dir.commandLog(),
          Duration.ofSeconds(120));
      // The copied postgresql.conf points the unix socket at the primary's directory.
      Files.writeString(
          dir.data().resolve("postgresql.conf"),
          ClusterConfig.renderConf(Map.of("unix_socket_directories", dir.root.toString())),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      long t1 = System.nanoTime();
      int port = LocalCluster.startOnFreePort(dir, bin, runAs);
      standby = new Standby(applicationName, port, dir, bin, runAs, onClose);
      standby.awaitStreaming(primary);
      LOG.debug(
          "Started {} of {}: pg_basebackup {} ms, start and streaming {} ms",
          standby,
          primary,
          (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
      return standby;
    } catch (IOException | SQLException | RuntimeException e) {
      if (standby != null) {
        standby.close();
      } else {
        LocalCluster.stopAndDelete(dir, bin, runAs);
      }
      throw e;
    }
  }

  /**
   * pg_ctl -w returns once the standby accepts connections; its walreceiver may still be
   * connecting, and a test that measures lag needs the primary to list it already.
   */
  private void awaitStreaming(BaseServer primary) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new IllegalStateException(this + " is not in recovery: not a standby");
      }
    }
    long deadline = System.nanoTime() + STREAMING_WAIT.toNanos();
    String state = null;
    try (Connection c = primary.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT state FROM pg_stat_replication WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          state = rs.next() ? rs.getString(1) : null;
        }
        if ("streaming".equals(state)) {
          return;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted waiting for " + this + " to stream", e);
        }
      }
    }
    throw new IllegalStateException(
        this
            + " not streaming from "
            + primary
            + " after "
            + STREAMING_WAIT.toSeconds()
            + " s (pg_stat_replication state: "
            + state
            + ")\nserver log "
            + dir.serverLog()
            + ":\n"
            + Exec.tail(dir.serverLog()));
  }

  /** The {@code application_name} it streams under, as the primary's pg_stat_replication shows. */
  public String applicationName() {
    return applicationName;
  }

  public String host() {
    return LocalCluster.HOST;
  }

  public int port() {
    return port;
  }

  /** Role with superuser rights, the same as the primary's (the standby is a copy of it). */
  public String superuser() {
    return RunAs.POSTGRES;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  /** A new read-only (it is in recovery) connection as the superuser to {@code postgres}. */
  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  public Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", superuser());
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /**
   * {@code pg_wal_replay_pause()}: the standby keeps receiving WAL but stops applying it, so the
   * primary sees its replay lag grow. Returns once replay has stopped, not just been asked to.
   */
  public void pauseReplay() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_wal_replay_pause()");
      if (c.getMetaData().getDatabaseMajorVersion() < 14) {
        return; // no pg_get_wal_replay_pause_state() to wait on
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        // 'pause requested' until the startup process reaches its next pause check.
        try (ResultSet rs = st.executeQuery("SELECT pg_get_wal_replay_pause_state()")) {
          rs.next();
          if ("paused".equals(rs.getString(1))) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new SQLException(this + ": replay not paused 30 s after pg_wal_replay_pause()");
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted waiting for replay to pause on " + this, e);
        }
      }
    }
  }

  /** {@code pg_wal_replay_resume()}: the standby applies what it received meanwhile. */
  public void resumeReplay() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_wal_replay_resume()");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LocalCluster.stopAndDelete(dir, bin, runAs);
      onClose.accept(this);
    }
  }

  @Override
  public String toString() {
    return "standby '" + applicationName + "' at " + host() + ":" + port;
  }
}
