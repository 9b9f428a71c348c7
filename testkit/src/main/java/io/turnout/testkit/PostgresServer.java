package io.turnout.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A running PostgreSQL server for tests and for {@code turnout demo}, obtained from {@link
 * PostgresProvider}. Connections go over TCP to {@link #host()}:{@link #port()}.
 *
 * <p>Closing a server stops it and removes its cluster directory (for servers we started), or drops
 * the databases created through {@link #createDatabase(String)} (for an external server given by
 * {@code TURNOUT_TEST_PG_URL}). Closing twice is harmless.
 */
public interface PostgresServer extends AutoCloseable {

  /** Host to connect to, an IP literal for servers we started ({@code 127.0.0.1}). */
  String host();

  int port();

  /** Role with superuser rights (for an external server: whatever the URL names). */
  String superuser();

  /** Password of {@link #superuser()}, or {@code null} when the server trusts it. */
  String superuserPassword();

  /** The default database ({@code postgres} unless the URL names another one). */
  String database();

  /** {@code jdbc:postgresql://host:port/database} without credentials; see {@link #connect()}. */
  default String jdbcUrl() {
    return jdbcUrl(database());
  }

  /** JDBC URL for another database on this server, without credentials. */
  default String jdbcUrl(String database) {
    String h = host().indexOf(':') >= 0 ? "[" + host() + "]" : host();
    return "jdbc:postgresql://" + h + ":" + port() + "/" + database;
  }

  /**
   * A libpq-style {@code postgresql://user[:password]@host:port/database} URL with the superuser's
   * credentials, as a plan file's {@code backends} takes it.
   */
  default String url(String database) {
    String h = host().indexOf(':') >= 0 ? "[" + host() + "]" : host();
    return "postgresql://"
        + superuser()
        + (superuserPassword() == null ? "" : ":" + superuserPassword())
        + "@"
        + h
        + ":"
        + port()
        + "/"
        + database;
  }

  /** A new JDBC connection as the superuser to {@link #database()}. */
  default Connection connect() throws SQLException {
    return connect(database());
  }

  /** A new JDBC connection as the superuser to the given database. */
  default Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", superuser());
    if (superuserPassword() != null) {
      props.setProperty("password", superuserPassword());
    }
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /**
   * Which provider started it: {@code url}, {@code testcontainers}, {@code local} or {@code
   * embedded}.
   */
  String provider();

  /**
   * True when we control the server's configuration and pg_hba.conf (so {@link #authUsers()}
   * exist); false for an external server given by {@code TURNOUT_TEST_PG_URL}.
   */
  boolean managed();

  /**
   * Directory holding the client tools ({@code psql}, {@code pgbench}) and, for the local provider,
   * {@code pg_ctl} of the running server; empty when none was found.
   */
  Optional<Path> binDir();

  /**
   * Creates a fresh, empty database whose name starts with the (sanitised) prefix and is unique on
   * this server, and returns that name. Every role in {@link #authUsers()} may connect to it.
   */
  String createDatabase(String prefix);

  /**
   * Login roles set up for authentication tests, one per method ({@code md5}, {@code
   * scram-sha-256}, {@code password}), matched by exact name in pg_hba.conf; every other role is
   * trusted from the loopback addresses and the unix socket. Empty when not {@link #managed()}.
   */
  List<AuthUser> authUsers();

  /** The {@link AuthUser} for one pg_hba method, e.g. {@code "scram-sha-256"}. */
  default AuthUser authUser(String method) {
    return authUsers().stream()
        .filter(u -> u.method().equals(method))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no auth user for method '"
                        + method
                        + "' on this "
                        + provider()
                        + " server (managed="
                        + managed()
                        + ", users="
                        + authUsers()
                        + ")"));
  }

  /**
   * Why {@link #kill()} and {@link #startAgain()} cannot be used on this server, or empty when they
   * can: only a server from the {@code local} or {@code embedded} provider that the caller owns
   * ({@link PostgresProvider#start}) can be killed and started again. A test that needs it skips
   * with this reason (JUnit's {@code assumeTrue(pg.restartUnsupported().isEmpty(), ...)}).
   */
  default Optional<String> restartUnsupported() {
    return Optional.of("the " + provider() + " provider cannot kill and restart its servers");
  }

  /**
   * Kills the server as a crash would ({@code pg_ctl stop -m immediate}): every connection breaks,
   * there is no shutdown checkpoint, and the data directory and port are kept for {@link
   * #startAgain()}. Killing a server that is down does nothing.
   *
   * <p>As on a real crash, a transaction committed with {@code synchronous_commit=off} (the test
   * clusters' default) may be lost if its WAL was not yet written; start the server with {@code
   * synchronous_commit=on} when a test needs every commit to survive.
   *
   * @throws UnsupportedOperationException with {@link #restartUnsupported()}'s reason
   */
  default void kill() {
    throw new UnsupportedOperationException(restartUnsupported().orElse("kill not supported"));
  }

  /**
   * Starts a {@link #kill() killed} server again on the same port and data directory (PostgreSQL
   * runs crash recovery first), and returns once it accepts connections. Starting a server that is
   * up does nothing.
   *
   * @throws UnsupportedOperationException with {@link #restartUnsupported()}'s reason
   * @throws IllegalStateException when it does not come back (e.g. its port was taken meanwhile)
   */
  default void startAgain() {
    throw new UnsupportedOperationException(restartUnsupported().orElse("restart not supported"));
  }

  /**
   * Why {@link #startStandby(String)} cannot be used on this server, or empty when it can: only the
   * {@code local} provider makes standbys, with its {@code pg_basebackup} (zonky's embedded bundle
   * has none, and an external or container server's files are not ours to copy). A test that needs
   * one skips with this reason ({@code assumeTrue(pg.standbyUnsupported().isEmpty(), ...)}).
   */
  default Optional<String> standbyUnsupported() {
    return Optional.of("the " + provider() + " provider cannot start a streaming standby");
  }

  /**
   * Starts a physical streaming standby of this server ({@code pg_basebackup -R -X stream}) that
   * connects under {@code applicationName}, and returns once the primary's {@code
   * pg_stat_replication} lists it as {@code streaming}. Close it when done; it is closed with this
   * server at the latest.
   *
   * @param applicationName 1-63 of {@code [A-Za-z0-9_.-]}, e.g. {@code standby-a}
   * @throws UnsupportedOperationException with {@link #standbyUnsupported()}'s reason
   * @throws IllegalStateException when the standby does not come up or does not stream
   */
  default Standby startStandby(String applicationName) {
    throw new UnsupportedOperationException(
        standbyUnsupported().orElse("streaming standby not supported"));
  }

  /** Stops the server (if we started it) and removes what it left on disk. */
  @Override
  void close();
}
