package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.proxy.it.CorpusRunner.Outcome;
import io.turnout.proxy.it.CorpusRunner.Protocol;
import io.turnout.proxy.it.CorpusRunner.Target;
import io.turnout.testkit.corpus.Corpus;
import io.turnout.testkit.corpus.CorpusStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every statement of shared/corpus executed directly and through Turnout, with no migration active,
 * gives the same column labels, column types, rows, command tags, notices and errors, in each
 * protocol pgJDBC speaks ({@link Protocol}).
 *
 * <p>Three databases are loaded from schema.sql and fed the same statements in the same order:
 * {@code direct} and {@code control} directly, {@code turnout} through the proxy ({@link
 * CorpusRunner} runs and captures them). Statements tagged {@code noexec} run outside a
 * transaction, on all three alike, so the databases stay in step (sequences included). When direct
 * and control disagree the statement is volatile (now(), random(), the database's name…) and only
 * its shape is compared. {@link CorpusMigrationDifferentialIT} does the same with the corpus
 * migrations active.
 */
class CorpusDifferentialIT {
  private static final Logger log = LoggerFactory.getLogger(CorpusDifferentialIT.class);

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void everyCorpusStatement_throughTurnout_matchesDirect(Protocol protocol) throws Exception {
    List<CorpusStatement> statements = Corpus.statements();
    Map<String, Target> targets = new LinkedHashMap<>();
    try {
      targets.put("direct", open("direct", false, protocol));
      targets.put("control", open("control", false, protocol));
      targets.put("turnout", open("turnout", true, protocol));
      int executed = 0;
      int succeeded = 0;
      int identical = 0;
      int identicalErrors = 0;
      List<String> volatileIds = new ArrayList<>();
      Map<String, String> failedIds = new TreeMap<>();
      Map<String, String> skipped = new TreeMap<>();
      Map<String, String> mismatches = new TreeMap<>();
      for (CorpusStatement s : statements) {
        JdbcPlaceholders.Bound bound;
        try {
          bound = JdbcPlaceholders.bind(s.sql(), s.paramValues());
        } catch (IllegalArgumentException e) {
          skipped.put(s.id(), "cannot bind the sample values: " + e.getMessage());
          continue;
        }
        Outcome direct = CorpusRunner.execute(targets.get("direct"), s, bound);
        Outcome control = CorpusRunner.execute(targets.get("control"), s, bound);
        Outcome viaTurnout = CorpusRunner.execute(targets.get("turnout"), s, bound);
        executed++;
        if (direct.error() == null) {
          succeeded++;
        } else {
          failedIds.put(s.id(), direct.error());
        }
        if (viaTurnout.equals(direct)) {
          identical++;
          if (direct.error() != null) {
            identicalErrors++;
          }
        } else if (!direct.equals(control) && viaTurnout.shape().equals(direct.shape())) {
          volatileIds.add(s.id());
        } else {
          mismatches.put(
              s.id(),
              "\n  sql:     " + s.sql() + "\n  direct:  " + direct + "\n  turnout: " + viaTurnout);
        }
      }
      log.info(
          "[measure] corpus differential ({}): {} statements; executed {} ({} succeeded, {} failed), identical {}"
              + " (of which {} identical errors), same shape with volatile values {} {}, mismatched {}, skipped {} {}",
          protocol,
          statements.size(),
          executed,
          succeeded,
          executed - succeeded,
          identical,
          identicalErrors,
          volatileIds.size(),
          volatileIds,
          mismatches.size(),
          skipped.size(),
          skipped);
      failedIds.forEach(
          (id, error) ->
              log.info("corpus statement {} fails the same way both ways: {}", id, error));
      mismatches.forEach((id, diff) -> log.warn("corpus mismatch {}:{}", id, diff));

      assertThat(mismatches)
          .as("statements whose result through Turnout differs from direct")
          .isEmpty();
      assertThat(executed).as("statements executed").isEqualTo(statements.size() - skipped.size());
      assertThat(identical + volatileIds.size()).isEqualTo(executed);
      // A broken setup (schema not loaded, say) fails everything identically: that must not pass.
      assertThat(succeeded).as("statements that succeeded").isGreaterThan(executed * 8 / 10);
    } finally {
      for (Target t : targets.values()) {
        t.close();
      }
    }
  }

  /** A fresh database loaded from schema.sql, reached directly or through Turnout. */
  private static Target open(String name, boolean throughTurnout, Protocol protocol)
      throws SQLException {
    String db =
        CorpusRunner.createCorpusDatabase(
            turnout.postgres(), turnout.superuser(), "corpus_" + name, List.of());
    return CorpusRunner.connect(
        name,
        throughTurnout ? turnout.turnoutUrl(db) : turnout.directUrl(db),
        turnout.superuser(),
        protocol);
  }
}
