package io.turnout.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** What every provider's server shares: coordinates, database creation, close-once. */
abstract class BaseServer implements PostgresServer {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final String provider;
  private final String name;
  private final String host;
  private final int port;
  private final String superuser;
  private final String superuserPassword;
  private final String database;
  private final boolean managed;
  private final Optional<Path> binDir;
  private volatile List<AuthUser> authUsers = List.of();
  private volatile boolean ownedByProvider;
  private final AtomicBoolean closed = new AtomicBoolean();

  BaseServer(
      String provider,
      String name,
      String host,
      int port,
      String superuser,
      String superuserPassword,
      String database,
      boolean managed,
      Optional<Path> binDir) {
    this.provider = provider;
    this.name = name;
    this.host = host;
    this.port = port;
    this.superuser = superuser;
    this.superuserPassword = superuserPassword;
    this.database = database;
    this.managed = managed;
    this.binDir = binDir;
  }

  @Override
  public final String host() {
    return host;
  }

  @Override
  public final int port() {
    return port;
  }

  @Override
  public final String superuser() {
    return superuser;
  }

  @Override
  public final String superuserPassword() {
    return superuserPassword;
  }

  @Override
  public final String database() {
    return database;
  }

  @Override
  public final String provider() {
    return provider;
  }

  @Override
  public final boolean managed() {
    return managed;
  }

  @Override
  public final Optional<Path> binDir() {
    return binDir;
  }

  @Override
  public final List<AuthUser> authUsers() {
    return authUsers;
  }

  final String name() {
    return name;
  }

  final void authUsers(List<AuthUser> users) {
    this.authUsers = List.copyOf(users);
  }

  /** Servers from {@link PostgresProvider#named} are shared: only the shutdown hook stops them. */
  final void ownedByProvider() {
    this.ownedByProvider = true;
  }

  final boolean isOwnedByProvider() {
    return ownedByProvider;
  }

  final boolean isClosed() {
    return closed.get();
  }

  @Override
  public String createDatabase(String prefix) {
    String db = databaseName(prefix);
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      // PUBLIC keeps its default CONNECT and TEMP privileges, so the auth fixtures can connect.
      st.execute("CREATE DATABASE \"" + db + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not create database " + db + " on " + this + ": " + e.getMessage(), e);
    }
    created(db);
    return db;
  }

  /** Hook for servers that must drop what they created (an external server). */
  void created(String database) {}

  static String databaseName(String prefix) {
    String p = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
    if (p.isEmpty() || !Character.isLetter(p.charAt(0)) && p.charAt(0) != '_') {
      p = "db_" + p;
    }
    if (p.length() > 40) {
      p = p.substring(0, 40);
    }
    return p
        + "_"
        + DATABASES.incrementAndGet()
        + "_"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
  }

  @Override
  public final void close() {
    if (ownedByProvider) {
      // Closing a shared server from one test would pull it from under every other test.
      return;
    }
    shutdown();
  }

  /** Stops for real; idempotent. */
  final void shutdown() {
    if (closed.compareAndSet(false, true)) {
      PostgresProvider.forget(this);
      stop();
    }
  }

  abstract void stop();

  @Override
  public final Optional<String> restartUnsupported() {
    if (ownedByProvider) {
      // Killing a shared server would break every other test of the JVM at once.
      return Optional.of(
          "server '"
              + name
              + "' is shared by the JVM's tests; kill only a server of your own"
              + " (PostgresProvider.start)");
    }
    if (isClosed()) {
      return Optional.of(this + " is closed");
    }
    return cannotRestart();
  }

  /** Why this provider cannot kill and restart its servers; empty when it can. */
  Optional<String> cannotRestart() {
    return Optional.of("the " + provider + " provider cannot kill and restart its servers");
  }

  @Override
  public final void kill() {
    requireRestartable();
    killNow();
  }

  @Override
  public final void startAgain() {
    requireRestartable();
    startAgainNow();
  }

  private void requireRestartable() {
    Optional<String> why = restartUnsupported();
    if (why.isPresent()) {
      throw new UnsupportedOperationException(why.get());
    }
  }

  /** Kills the server; only called when {@link #cannotRestart()} is empty. */
  void killNow() {
    throw new UnsupportedOperationException(this + ": kill is not implemented");
  }

  /** Starts a killed server again; only called when {@link #cannotRestart()} is empty. */
  void startAgainNow() {
    throw new UnsupportedOperationException(this + ": restart is not implemented");
  }

  @Override
  public final Optional<String> standbyUnsupported() {
    if (isClosed()) {
      return Optional.of(this + " is closed");
    }
    return cannotStartStandby();
  }

  /** Why this provider cannot start a standby of its servers; empty when it can. */
  Optional<String> cannotStartStandby() {
    return Optional.of("the " + provider + " provider cannot start a streaming standby");
  }

  @Override
  public final Standby startStandby(String applicationName) {
    Optional<String> why = standbyUnsupported();
    if (why.isPresent()) {
      throw new UnsupportedOperationException(why.get());
    }
    return startStandbyNow(applicationName);
  }

  /** Starts a standby; only called when {@link #cannotStartStandby()} is empty. */
  Standby startStandbyNow(String applicationName) {
    throw new UnsupportedOperationException(this + ": standby is not implemented");
  }

  @Override
  public String toString() {
    return provider + " server '" + name + "' at " + host + ":" + port;
  }
}
