package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgbench through Turnout: initialisation (COPY, VACUUM, DDL) and then the TPC-B-like script in
 * each query mode for a few seconds, with no failed transaction. Short runs: this checks that the
 * protocol paths work under concurrency; bench/ measures speed.
 */
class PgbenchIT {
  private static final Logger log = LoggerFactory.getLogger(PgbenchIT.class);
  private static final Pattern PROCESSED =
      Pattern.compile("number of transactions actually processed: (\\d+)");
  private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
  private static final Pattern TPS =
      Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @TempDir static Path dir;
  private static Path pgbench;
  private static String database;

  @BeforeAll
  static void initialiseThroughTurnout() throws Exception {
    pgbench = ClientTools.require(turnout.postgres(), "pgbench");
    database = turnout.postgres().createDatabase("pgbench");
    ClientTools.Run init = pgbench(List.of("-i", "-s", "1", "-q"));
    assertThat(init.exitCode()).as("pgbench -i through Turnout: %s", init).isZero();
    assertThat(init.stderr()).contains("done in");
  }

  @ParameterizedTest(name = "-M {0}")
  @ValueSource(strings = {"simple", "extended", "prepared"})
  void tpcbLike_throughTurnout_completesWithoutFailedTransactions(String mode) throws Exception {
    ClientTools.Run run = pgbench(List.of("-M", mode, "-c", "4", "-j", "2", "-T", "3", "-n"));
    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.stdout()).contains("query mode: " + mode);
    long processed = number(PROCESSED, run);
    long failed = number(FAILED, run);
    Matcher tps = TPS.matcher(run.stdout());
    log.info(
        "[measure] pgbench -M {} -c 4 -j 2 -T 3 through Turnout: {} transactions, {} failed, tps {}",
        mode,
        processed,
        failed,
        tps.find() ? tps.group(1) : "?");
    assertThat(processed).as("transactions processed").isPositive();
    assertThat(failed).as("failed transactions").isZero();
  }

  private static long number(Pattern pattern, ClientTools.Run run) {
    Matcher m = pattern.matcher(run.stdout());
    assertThat(m.find()).as("'%s' in pgbench output: %s", pattern, run).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static ClientTools.Run pgbench(List<String> args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                pgbench.toString(),
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(turnout.address().getPort())));
    command.addAll(args);
    command.add(database);
    return ClientTools.run(turnout.postgres(), command, Map.of(), dir, 120);
  }
}
