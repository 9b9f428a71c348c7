package io.turnout.proxy.cli;

import io.turnout.admin.ControlPlane;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.load.ConfigException;
import io.turnout.config.load.ConfigLoader;
import io.turnout.proxy.routing.WireMigrations;
import io.turnout.proxy.server.ProxyServer;
import io.turnout.proxy.server.ProxySettingsFactory;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code turnout serve}: runs the proxy until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the proxy. --listen and --backend override the file, or replace it.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Plan file (YAML).")
  Path configFile;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address clients connect to.")
  String listen;

  @Option(
      names = "--backend",
      paramLabel = "URL",
      description =
          "PostgreSQL URL of the default backend, e.g. postgresql://app@127.0.0.1:5432/app")
  String backend;

  @Override
  public Integer call() throws Exception {
    TurnoutConfig config = resolve(configFile, listen, backend);
    Optional<WireMigrations> wire = WireMigrations.of(config);
    ProxyServer server =
        new ProxyServer(ProxySettingsFactory.from(config), wire.map(WireMigrations::routing))
            .start();
    System.out.println(
        "Turnout listening on " + server.address() + " -> " + config.defaultBackendUrl());
    if (!needsControlPlane(config)) {
      UntilShutdown.await("turnout-shutdown", server::close);
      return 0;
    }
    ControlPlane control;
    try {
      control =
          ControlPlane.start(
              config, instanceId(server), snapshot -> wire.ifPresent(w -> w.accept(snapshot)));
    } catch (RuntimeException e) {
      server.close(); // a half-started Turnout must not keep serving
      wire.ifPresent(WireMigrations::close);
      throw new Main.UsageFailure("cannot start the control plane: " + e.getMessage());
    }
    wire.ifPresent(w -> w.attachTo(control));
    control
        .adminAddress()
        .ifPresent(
            a ->
                System.out.println("Admin API on http://" + a.getHostString() + ":" + a.getPort()));
    UntilShutdown.await(
        "turnout-shutdown",
        server::close,
        control::close,
        () -> wire.ifPresent(WireMigrations::close));
    return 0;
  }

  /**
   * A plan with migrations, or an admin section, runs the control plane (state store on the default
   * backend). A bare {@code serve --backend URL} is a plain proxy and creates nothing in the
   * database.
   */
  static boolean needsControlPlane(TurnoutConfig config) {
    return !config.migrations().isEmpty() || config.admin().enabled();
  }

  private static String instanceId(ProxyServer server) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    return host + ":" + server.address().getPort();
  }

  /** The effective configuration: the file (if any) with the command-line overrides applied. */
  static TurnoutConfig resolve(Path configFile, String listen, String backend) {
    try {
      TurnoutConfig config;
      if (configFile != null) {
        config = new ConfigLoader().load(configFile);
      } else if (backend != null) {
        config = TurnoutConfig.minimal(TurnoutConfig.DEFAULT_LISTEN, BackendUrl.parse(backend));
      } else {
        throw new Main.UsageFailure("serve needs --config FILE or --backend URL");
      }
      if (listen != null) {
        config = config.withListen(HostPort.parse(listen));
      }
      if (backend != null && configFile != null) {
        config = config.withBackend(BackendUrl.parse(backend));
      }
      return config;
    } catch (ConfigException e) {
      throw new Main.UsageFailure(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new Main.UsageFailure("invalid option: " + e.getMessage());
    }
  }
}
