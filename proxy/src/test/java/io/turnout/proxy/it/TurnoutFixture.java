package io.turnout.proxy.it;

import io.netty.handler.ssl.SslContext;
import io.turnout.proxy.routing.Routing;
import io.turnout.proxy.server.ProxyServer;
import io.turnout.proxy.server.ProxySettings;
import io.turnout.proxy.session.SessionSettings;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turnout in front of the shared test PostgreSQL, started on a free port: JDBC URLs and connections
 * directly and through the proxy, and optionally a {@link FaultyRelay} between the proxy and
 * PostgreSQL. Use it as a class-level extension ({@code @RegisterExtension static}) or start and
 * close it by hand when the test is about starting and stopping.
 */
final class TurnoutFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private final Builder options;
  private PostgresServer postgres;
  private FaultyRelay relay;
  private ProxyServer proxy;
  private String database;

  private TurnoutFixture(Builder options) {
    this.options = options;
  }

  static Builder builder() {
    return new Builder();
  }

  /** The defaults: 64 MiB messages, 100 clients, 5 s shutdown grace, no TLS, no relay. */
  static TurnoutFixture defaults() {
    return builder().build();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Starts PostgreSQL (once per JVM), the relay if asked for, and the proxy; idempotent. */
  synchronized TurnoutFixture start() throws IOException, InterruptedException {
    if (proxy != null) {
      return this;
    }
    postgres = PostgresProvider.shared();
    InetSocketAddress backend = new InetSocketAddress(postgres.host(), postgres.port());
    if (options.faultyRelay) {
      relay = FaultyRelay.start(backend);
      backend = relay.address();
    }
    SessionSettings session =
        new SessionSettings(
            backend,
            options.maxMessageSize,
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            options.idleTimeout,
            Optional.ofNullable(options.clientTls));
    proxy =
        new ProxyServer(
                new ProxySettings(
                    new InetSocketAddress("127.0.0.1", 0),
                    session,
                    options.maxClients,
                    options.shutdownGrace,
                    2),
                Optional.ofNullable(options.routing))
            .start();
    return this;
  }

  PostgresServer postgres() {
    return postgres;
  }

  ProxyServer proxy() {
    return proxy;
  }

  InetSocketAddress address() {
    return proxy.address();
  }

  /** The relay between proxy and PostgreSQL; only with {@link Builder#faultyRelay()}. */
  FaultyRelay relay() {
    if (relay == null) {
      throw new IllegalStateException("this fixture was built without a FaultyRelay");
    }
    return relay;
  }

  /** A database of this fixture's own, created on first use. */
  synchronized String database() {
    if (database == null) {
      database = postgres.createDatabase("proxy_it");
    }
    return database;
  }

  String turnoutUrl(String db) {
    return "jdbc:postgresql://127.0.0.1:" + address().getPort() + "/" + db;
  }

  String directUrl(String db) {
    return postgres.jdbcUrl(db);
  }

  /** Superuser credentials plus an application_name, for DriverManager or HikariCP. */
  Properties superuser() {
    Properties p = new Properties();
    p.setProperty("user", postgres.superuser());
    if (postgres.superuserPassword() != null) {
      p.setProperty("password", postgres.superuserPassword());
    }
    p.setProperty("ApplicationName", "turnout-proxy-it");
    return p;
  }

  Connection connectThroughTurnout() throws SQLException {
    return connectThroughTurnout(new Properties());
  }

  /**
   * A superuser connection to {@link #database()} through the proxy, with extra driver properties.
   */
  Connection connectThroughTurnout(Properties extra) throws SQLException {
    Properties p = superuser();
    p.putAll(extra);
    return DriverManager.getConnection(turnoutUrl(database()), p);
  }

  Connection connectDirect() throws SQLException {
    return DriverManager.getConnection(directUrl(database()), superuser());
  }

  /** A raw-frames superuser session to {@link #database()} through the proxy, authenticated. */
  RawPgConnection rawThroughTurnout() throws IOException {
    return raw(address());
  }

  /** A raw-frames superuser session to {@link #database()} on PostgreSQL directly. */
  RawPgConnection rawDirect() throws IOException {
    return raw(new InetSocketAddress(postgres.host(), postgres.port()));
  }

  private RawPgConnection raw(InetSocketAddress to) throws IOException {
    RawPgConnection raw = RawPgConnection.open(to);
    raw.startup(postgres.superuser(), database(), postgres.superuserPassword());
    return raw;
  }

  /** Stops the proxy (gracefully, see {@link ProxyServer#close()}) and the relay. */
  @Override
  public synchronized void close() {
    if (proxy != null) {
      proxy.close();
      proxy = null;
    }
    if (relay != null) {
      relay.close();
      relay = null;
    }
  }

  static final class Builder {
    private int maxMessageSize = 64 << 20;
    private int maxClients = 100;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private SslContext clientTls;
    private Duration idleTimeout = Duration.ZERO;
    private boolean faultyRelay;
    private Routing routing;

    Builder maxMessageSize(int bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    Builder maxClients(int clients) {
      this.maxClients = clients;
      return this;
    }

    Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = grace;
      return this;
    }

    Builder idleTimeout(Duration idle) {
      this.idleTimeout = idle;
      return this;
    }

    Builder clientTls(SslContext tls) {
      this.clientTls = tls;
      return this;
    }

    /** Sessions apply {@code routing}'s migrations (the caller owns and closes it). */
    Builder routing(Routing routing) {
      this.routing = routing;
      return this;
    }

    /** Puts a {@link FaultyRelay} between the proxy and PostgreSQL. */
    Builder faultyRelay() {
      this.faultyRelay = true;
      return this;
    }

    TurnoutFixture build() {
      return new TurnoutFixture(this);
    }
  }
}
