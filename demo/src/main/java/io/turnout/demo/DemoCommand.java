package io.turnout.demo;

import io.turnout.config.HostPort;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.load.ConfigException;
import io.turnout.config.load.ConfigLoader;
import io.turnout.proxy.cli.UntilShutdown;
import io.turnout.proxy.server.ProxyServer;
import io.turnout.proxy.server.ProxySettingsFactory;
import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.PostgresUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code turnout demo}: starts a PostgreSQL of its own (the test provider's local-binaries or
 * embedded path), loads a small shop with a users table about to change shape, writes the sample
 * plan next to it, and runs Turnout in front. Everything is removed on exit.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Start a PostgreSQL of its own with sample data and Turnout in front of it.")
final class DemoCommand implements Callable<Integer> {
  private static final String DATABASE = "demo";

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:6432",
      description = "Address Turnout listens on (default: ${DEFAULT-VALUE}).")
  String listen;

  @Override
  public Integer call() throws Exception {
    HostPort listenAt = HostPort.parse(listen);
    System.out.println("Starting a PostgreSQL for the demo ...");
    PostgresServer pg = startPostgres();
    Running demo = null;
    try {
      demo = start(listenAt, pg);
      printWelcome(pg, demo);
    } catch (Exception | Error e) {
      if (demo != null) {
        demo.server().close();
      }
      pg.close();
      throw e;
    }
    UntilShutdown.await("turnout-demo-shutdown", demo.server()::close, pg::close);
    return 0;
  }

  /** The demo once Turnout is up: its proxy, the plan file it wrote and that plan. */
  record Running(ProxyServer server, Path plan, TurnoutConfig config) {}

  /**
   * Loads the sample data into {@code pg}, writes the plan and starts Turnout on {@code listenAt}
   * (port 0: any free port). The caller owns {@code pg} and closes the returned server.
   */
  static Running start(HostPort listenAt, PostgresServer pg)
      throws SQLException, IOException, InterruptedException {
    loadSampleData(pg);
    Path plan = writePlan(listenAt, pg);
    TurnoutConfig config = loadPlan(plan);
    return new Running(new ProxyServer(ProxySettingsFactory.from(config)).start(), plan, config);
  }

  /**
   * Local binaries when installed, else the embedded PostgreSQL. Never a URL or a container: the
   * demo owns its server and deletes it on exit.
   */
  static PostgresServer startPostgres() {
    PostgresOptions options = PostgresOptions.named("turnout-demo").withLogicalReplication(false);
    try {
      return PostgresProvider.start("local", options);
    } catch (PostgresUnavailableException noLocalBinaries) {
      return PostgresProvider.start("embedded", options);
    }
  }

  private static void loadSampleData(PostgresServer pg) throws SQLException, IOException {
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + DATABASE);
      s.execute("CREATE DATABASE " + DATABASE);
    }
    try (Connection c =
            java.sql.DriverManager.getConnection(
                pg.jdbcUrl(DATABASE), pg.superuser(), pg.superuserPassword());
        Statement s = c.createStatement()) {
      s.execute(resource("demo/schema.sql"));
    }
  }

  /**
   * Writes the sample plan with this demo's addresses filled in, so the operator can run {@code
   * turnout explain --config FILE} on it as it is.
   */
  private static Path writePlan(HostPort listenAt, PostgresServer pg) throws IOException {
    Path dir = Files.createTempDirectory("turnout-demo-");
    Path plan = dir.resolve("turnout.yaml");
    Files.writeString(
        plan,
        resource("demo/turnout.yaml")
            .replace("${TURNOUT_DEMO_LISTEN}", listenAt.toString())
            .replace("${TURNOUT_DEMO_BACKEND}", backendUrl(pg)));
    // deleteOnExit runs in reverse order of registration: the file first, then its directory.
    dir.toFile().deleteOnExit();
    plan.toFile().deleteOnExit();
    return plan;
  }

  private static TurnoutConfig loadPlan(Path plan) {
    try {
      return new ConfigLoader().load(plan);
    } catch (ConfigException e) {
      throw new IllegalStateException("the bundled demo plan does not load: " + e.getMessage(), e);
    }
  }

  private static String backendUrl(PostgresServer pg) {
    return "postgresql://" + pg.superuser() + "@" + pg.host() + ":" + pg.port() + "/" + DATABASE;
  }

  private static void printWelcome(PostgresServer pg, Running demo) {
    ProxyServer server = demo.server();
    String host = server.address().getHostString();
    int port = server.address().getPort();
    String through = "postgresql://" + pg.superuser() + "@" + host + ":" + port + "/" + DATABASE;
    System.out.printf("%nTurnout demo is running.%n");
    System.out.printf("  %-22s %s%n", "PostgreSQL (" + pg.provider() + "):", backendUrl(pg));
    System.out.printf("  %-22s %s:%d%n", "Turnout proxy:", host, port);
    System.out.printf("  %-22s %s%n", "Plan file:", demo.plan());
    demo.config()
        .migrations()
        .forEach(m -> System.out.printf("  %-22s %s on %s%n", "Migration:", m.id(), m.table()));
    System.out.printf(
        "%nConnect through Turnout:%n  psql \"%s\" -c 'select id, email, name from"
            + " users order by id limit 5'%n%n",
        through);
    System.out.printf(
        "See what Turnout would send for a statement (the rewrite engine):%n"
            + "  ./turnout explain --config %s \"update users set name = 'Ada Lovelace' where id = 1\"%n%n",
        demo.plan());
    System.out.printf("Press Ctrl-C to stop; the demo database is removed.%n");
    System.out.flush();
  }

  private static String resource(String name) {
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
