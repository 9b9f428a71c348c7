package io.turnout.proxy.cli;

import io.turnout.config.BackendUrl;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.load.ConfigException;
import io.turnout.config.load.ConfigLoader;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.Phase;
import io.turnout.router.Router;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.router.explain.Explainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code turnout explain --config FILE [--json] [--phase P] "SQL"}: what Turnout sends to
 * PostgreSQL for a statement, in phase P (default {@code reads}: dual-write on and reads ramping,
 * so a write shows its dual-write and a read both its old and new variants). Connects to the plan's
 * backend once, for the catalog only; runs nothing else there.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Show what Turnout does with one statement (pass, rewrite, route or reject).")
public final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "Plan file (YAML).")
  Path configFile;

  @Option(names = "--json", description = "Print the decision as JSON.")
  boolean json;

  @Option(
      names = "--phase",
      paramLabel = "PHASE",
      description =
          "Phase every migration is assumed to be in: planned, expanded, dual_write, backfilled,"
              + " verified, reads (default), reads_new, writes_new, contracted.")
  String phase = "reads";

  @Option(
      names = "--backend",
      paramLabel = "URL",
      description = "Read the catalog from this PostgreSQL URL instead of the plan's backend.")
  String backend;

  @Parameters(index = "0", paramLabel = "SQL", description = "The statement(s) to explain.")
  String sql;

  @Override
  public Integer call() throws Exception {
    Phase p = parsePhase(phase);
    TurnoutConfig config;
    try {
      config = new ConfigLoader().load(configFile);
    } catch (ConfigException e) {
      throw new Main.UsageFailure(e.getMessage());
    }
    List<Migration> migrations = config.migrations();
    BackendUrl url = backend != null ? BackendUrl.parse(backend) : backendOf(config, migrations);
    Catalog catalog;
    try (Connection c = DriverManager.getConnection(url.toJdbcUrl(), url.jdbcProperties())) {
      catalog = CatalogLoader.load(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the catalog from " + url + ": " + e.getMessage(), e);
    }
    Router router;
    try {
      router = new Router(migrations, () -> catalog);
    } catch (IllegalArgumentException e) {
      throw new Main.UsageFailure(e.getMessage());
    }
    Explainer explainer = new Explainer(router);
    List<Explainer.Explanation> result = explainer.explain(sql, Explainer.stateFor(migrations, p));
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? Explainer.json(result) + "\n" : Explainer.text(result, p));
    out.flush();
    return 0;
  }

  private static BackendUrl backendOf(TurnoutConfig config, List<Migration> migrations) {
    if (!migrations.isEmpty()) {
      String name = migrations.get(0).backend();
      if (name != null) {
        return config.backend(name).orElse(config.defaultBackendUrl());
      }
    }
    return config.defaultBackendUrl();
  }

  static Phase parsePhase(String text) {
    try {
      return Phase.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new Main.UsageFailure(
          "unknown phase '"
              + text
              + "' (planned, expanded, dual_write, backfilled, verified,"
              + " reads, reads_new, writes_new, contracted)");
    }
  }
}
