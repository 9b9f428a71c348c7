package io.turnout.demo;

import io.turnout.admin.ControlPlane;
import io.turnout.config.AdminSettings;
import io.turnout.config.HostPort;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.load.ConfigException;
import io.turnout.config.load.ConfigLoader;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.cli.UntilShutdown;
import io.turnout.proxy.routing.WireMigrations;
import io.turnout.proxy.server.ProxyServer;
import io.turnout.proxy.server.ProxySettingsFactory;
import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.PostgresUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code turnout demo}: starts a PostgreSQL of its own (the test provider's local-binaries or
 * embedded path), loads a small shop with a users table about to change shape, writes the sample
 * plan next to it, and runs Turnout in front with its control plane and admin API (on 127.0.0.1,
 * with a token made for this run). The banner gives the {@code psql} line and the first commands of
 * a migration's journey. Everything is removed on exit.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Start a PostgreSQL of its own with sample data and Turnout in front of it.")
final class DemoCommand implements Callable<Integer> {
  private static final String DATABASE = "demo";
  private static final String ADMIN_HOST = "127.0.0.1";
  private static final SecureRandom RANDOM = new SecureRandom();

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:6432",
      description = "Address Turnout listens on (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description =
          "Port of the admin API on 127.0.0.1 (default: 9090, or a free port when 9090 is taken;"
              + " 0: a free port). A port given here that is taken stops the demo.")
  Integer adminPort;

  @Override
  public Integer call() throws Exception {
    HostPort listenAt = HostPort.parse(listen);
    AdminPort admin = adminPort == null ? AdminPort.DEFAULT : AdminPort.exactly(adminPort);
    admin.resolve(); // a given port that is taken fails now, before a PostgreSQL starts
    System.out.println("Starting a PostgreSQL for the demo ...");
    PostgresServer pg = startPostgres();
    Running demo = null;
    try {
      demo = start(listenAt, admin, pg);
      System.out.print(welcome(pg, demo));
      System.out.flush();
    } catch (Exception | Error e) {
      if (demo != null) {
        demo.close();
      }
      pg.close();
      throw e;
    }
    // The proxy drains first, then the control plane goes, then its database: the demo's hook
    // stops the PostgreSQL, not the testkit's, which would run alongside and stop it under them.
    PostgresProvider.stopAtExitByCaller(pg);
    Running running = demo;
    UntilShutdown.await(
        "turnout-demo-shutdown",
        () -> {
          try {
            running.close();
          } finally {
            pg.close(); // even when closing Turnout failed: no PostgreSQL left behind
          }
        });
    return 0;
  }

  /**
   * Where the demo's admin API listens on 127.0.0.1: {@code port} (0: any free port), and whether
   * any free port will do when that one is taken.
   */
  record AdminPort(int port, boolean orAnyFree) {
    /** No {@code --admin-port}: 9090, where the CLI looks by default, else a free port. */
    static final AdminPort DEFAULT = new AdminPort(AdminSettings.DEFAULT_LISTEN.port(), true);

    AdminPort {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("--admin-port must be 0..65535, was " + port);
      }
    }

    /** {@code --admin-port PORT}: that port or nothing. */
    static AdminPort exactly(int port) {
      return new AdminPort(port, false);
    }

    /**
     * The port to ask for: {@link #port} when nothing listens on it, else 0 when any free port will
     * do. Checked before anything starts, so a taken port costs no failed start (and no error from
     * the HTTP server in the log); a port taken in between is handled at start.
     */
    int resolve() {
      if (port == 0 || bindable(port)) {
        return port;
      }
      if (orAnyFree) {
        return 0;
      }
      throw inUse(port);
    }

    private static boolean bindable(int port) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true); // as the HTTP server binds: TIME_WAIT leftovers do not count
        probe.bind(new InetSocketAddress(ADMIN_HOST, port));
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    static IllegalStateException inUse(int port) {
      return new IllegalStateException(
          "the admin API cannot listen on "
              + ADMIN_HOST
              + ":"
              + port
              + ": the port is in use (choose another with --admin-port PORT, or --admin-port 0"
              + " for a free one)");
    }
  }

  /**
   * The demo once Turnout is up: its proxy, its control plane, the plan file it wrote, that plan,
   * the admin API's URL and this run's token, and the preferred admin port when it was taken and a
   * free one used instead. Closing it closes the proxy, then the control plane; the caller owns the
   * PostgreSQL.
   */
  record Running(
      ProxyServer server,
      ControlPlane control,
      Optional<WireMigrations> wire,
      Path plan,
      TurnoutConfig config,
      String adminUrl,
      String adminToken,
      OptionalInt adminPortTaken)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.close();
      } finally {
        try {
          control.close();
        } finally {
          wire.ifPresent(WireMigrations::close);
        }
      }
    }

    @Override
    public String toString() {
      return "Running[server=" + server.address() + ", plan=" + plan + ", admin=" + adminUrl + "]";
    }
  }

  /**
   * Loads the sample data into {@code pg}, writes the plan and starts Turnout on {@code listenAt}
   * (port 0: any free port) with its control plane and the admin API on {@code adminPort}. The
   * caller owns {@code pg} and closes the returned demo.
   */
  static Running start(HostPort listenAt, AdminPort adminPort, PostgresServer pg)
      throws SQLException, IOException, InterruptedException {
    int askFor = adminPort.resolve();
    loadSampleData(pg);
    Path plan = writePlan(listenAt, pg);
    TurnoutConfig config = loadPlan(plan);
    String token = newToken();
    Optional<WireMigrations> wire = WireMigrations.of(config);
    ProxyServer server =
        new ProxyServer(ProxySettingsFactory.from(config), wire.map(WireMigrations::routing))
            .start();
    ControlPlane control;
    try {
      String instanceId = "turnout-demo:" + server.address().getPort();
      Consumer<StateSnapshot> onChange = s -> wire.ifPresent(w -> w.accept(s));
      control =
          startControlPlane(config, askFor, adminPort.orAnyFree(), token, instanceId, onChange);
    } catch (RuntimeException e) {
      server.close();
      wire.ifPresent(WireMigrations::close);
      throw e;
    }
    wire.ifPresent(w -> w.attachTo(control));
    InetSocketAddress api = control.adminAddress().orElseThrow();
    String adminUrl = "http://" + ADMIN_HOST + ":" + api.getPort();
    OptionalInt taken =
        adminPort.port() != 0 && api.getPort() != adminPort.port()
            ? OptionalInt.of(adminPort.port())
            : OptionalInt.empty();
    return new Running(server, control, wire, plan, config, adminUrl, token, taken);
  }

  /**
   * The control plane of {@code config} (state store in the demo database) with the admin API on
   * 127.0.0.1:{@code port}, or on a free port if that one was taken meanwhile and {@code
   * orAnyFree}.
   */
  private static ControlPlane startControlPlane(
      TurnoutConfig config,
      int port,
      boolean orAnyFree,
      String token,
      String instanceId,
      Consumer<StateSnapshot> onChange) {
    try {
      return ControlPlane.start(withAdmin(config, port, token), instanceId, onChange);
    } catch (RuntimeException e) {
      if (!portInUse(e)) {
        throw new IllegalStateException("cannot start the control plane: " + e.getMessage(), e);
      }
      if (!orAnyFree) {
        IllegalStateException inUse = AdminPort.inUse(port);
        inUse.initCause(e);
        throw inUse;
      }
      return ControlPlane.start(withAdmin(config, 0, token), instanceId, onChange);
    }
  }

  private static TurnoutConfig withAdmin(TurnoutConfig config, int port, String token) {
    return config.withAdmin(new AdminSettings(new HostPort(ADMIN_HOST, port), Optional.of(token)));
  }

  private static boolean portInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A token for one run of the demo: 32 bytes from {@link SecureRandom} in hex, so it pastes into a
   * shell unquoted and never looks like an option. Shown once, in the banner; never logged.
   */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
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

  /** The banner: where everything is, how to connect, and the journey's first commands. */
  static String welcome(PostgresServer pg, Running demo) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    ProxyServer server = demo.server();
    String host = server.address().getHostString();
    int port = server.address().getPort();
    String through = "postgresql://" + pg.superuser() + "@" + host + ":" + port + "/" + DATABASE;
    out.printf("%nTurnout demo is running.%n");
    out.printf("  %-22s %s%n", "PostgreSQL (" + pg.provider() + "):", backendUrl(pg));
    out.printf("  %-22s %s:%d%n", "Turnout proxy:", host, port);
    out.printf("  %-22s %s%n", "Admin API:", demo.adminUrl());
    demo.adminPortTaken()
        .ifPresent(
            p ->
                out.printf(
                    "  %-22s (port %d was in use, so it took a free one; --admin-port PORT"
                        + " chooses)%n",
                    "", p));
    out.printf("  %-22s %s%n", "Plan file:", demo.plan());
    demo.config()
        .migrations()
        .forEach(m -> out.printf("  %-22s %s on %s%n", "Migration:", m.id(), m.table()));
    out.printf(
        "%nConnect through Turnout:%n  psql \"%s\" -c 'select id, email, name from"
            + " users order by id limit 5'%n%n",
        through);
    out.printf(
        "See what Turnout would send for a statement (the rewrite engine):%n"
            + "  ./turnout explain --config %s \"update users set name = 'Ada Lovelace' where id = 1\"%n%n",
        demo.plan());
    out.printf("Take a migration through its lifecycle, from another terminal:%n");
    journey(demo.adminUrl(), demo.adminToken(), demo.config().migrations().get(0).id())
        .forEach(command -> out.printf("  %s%n", command));
    out.printf("The admin token is made for this run and shown only here.%n%n");
    out.printf("Press Ctrl-C to stop; the demo database is removed.%n");
    out.flush();
    return text.toString();
  }

  /**
   * The first commands of {@code migration}'s journey against the admin API at {@code adminUrl},
   * ready to paste.
   */
  static List<String> journey(String adminUrl, String token, String migration) {
    return List.of(
        "export TURNOUT_ADMIN_URL=" + adminUrl + " TURNOUT_ADMIN_TOKEN=" + token,
        "./turnout status",
        "./turnout expand " + migration + " --dry-run",
        "./turnout expand " + migration,
        "./turnout dual-write " + migration + " on",
        "./turnout backfill " + migration,
        "./turnout verify " + migration);
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
