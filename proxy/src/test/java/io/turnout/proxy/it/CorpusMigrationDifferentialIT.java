package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.turnout.admin.flags.BuiltinFlags;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.it.CorpusRunner.Outcome;
import io.turnout.proxy.it.CorpusRunner.Protocol;
import io.turnout.proxy.it.CorpusRunner.Target;
import io.turnout.proxy.routing.Routing;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.testkit.corpus.Corpus;
import io.turnout.testkit.corpus.CorpusMigrations;
import io.turnout.testkit.corpus.CorpusStatement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The corpus differential with both corpus migrations active ({@link CorpusMigrations}: the rename
 * of users.email and the split of users.name) and every read on the new schema: through Turnout, on
 * the expanded schema, every statement gives what it gives directly on the schema it was written
 * for, unless Turnout refuses it. Refusals are counted and listed, not compared.
 *
 * <p>Two proxies serve two phases at once, each with a {@link Routing} whose state the test
 * publishes: {@code reads} at 100% (reads routed per statement to the new schema, writes
 * dual-written) and {@code reads_new}. Each has a database of its own with the expanded schema
 * (email_address added, unique, equal to email; first_name and last_name = forward(name)). The
 * reference databases hold the old schema: {@code old} and its {@code control} (volatility, as in
 * {@link CorpusDifferentialIT}) without first_name and last_name, the shape old code was written
 * for, and {@code split}, the corpus schema with first_name and last_name consistent, which is what
 * statements naming the split's new columns on users (new code) are compared with. All five receive
 * every statement in the same order, so they stay in step. Runs in each {@link Protocol}; counts go
 * to {@code target/corpus-migration-differential-<protocol>.txt}.
 */
class CorpusMigrationDifferentialIT {
  private static final Logger log = LoggerFactory.getLogger(CorpusMigrationDifferentialIT.class);

  private static final TableName USERS = new TableName("public", "users");

  /** The phases under test, each served by a proxy of its own. */
  private static final List<Phase> PHASES = List.of(Phase.READS, Phase.READS_NEW);

  /** The names that make a statement on users new code (not in the old schema). */
  private static final Set<String> NEW_NAMES = Set.of("first_name", "last_name", "email_address");

  /** Turnout's refusals: an error whose message names the migration (RejectStatement). */
  private static final Pattern REFUSAL =
      Pattern.compile("^[0-9A-Z]{5} ERROR: turnout: migration \"[^\"]+\".*", Pattern.DOTALL);

  /**
   * Statements whose result through Turnout is known to differ from the old schema's, each with
   * why; they are listed, not failed, and must still differ (a fixed one must leave this list).
   */
  private static final Map<String, String> KNOWN_GAPS =
      Map.of(
          "rails21",
          "catalog introspection (Rails' column query on pg_attribute for users) sees the"
              + " expanded table: email_address, first_name and last_name exist from expand until"
              + " contract, and Turnout does not rewrite catalog queries");

  /**
   * Run last on every database: the setup's full-table UPDATEs (consistency, backfill) leave the
   * rows of users in another physical order than the old schema's, and statements without ORDER BY
   * (rails18, ut22) return them in that order. Rewriting the table in id order, as it was seeded,
   * makes the layouts equal; the statistics are refreshed so plans do not differ either.
   */
  private static final List<String> SAME_LAYOUT =
      List.of("CLUSTER users USING users_pkey", "ANALYZE users");

  private static final Map<Phase, Routing> routings = new EnumMap<>(Phase.class);
  private static final Map<Phase, SimpleMeterRegistry> meters = new EnumMap<>(Phase.class);

  static {
    for (Phase phase : PHASES) {
      Routing routing = new Routing(migrations(), BuiltinFlags.INSTANCE, 2, 64);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      routing.metrics().publishTo(registry);
      routings.put(phase, routing);
      meters.put(phase, registry);
    }
  }

  @RegisterExtension
  static final TurnoutFixture reads =
      TurnoutFixture.builder().routing(routings.get(Phase.READS)).build();

  @RegisterExtension
  static final TurnoutFixture readsNew =
      TurnoutFixture.builder().routing(routings.get(Phase.READS_NEW)).build();

  static List<Migration> migrations() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("first_name", CorpusMigrations.FORWARD_FIRST);
    forward.put("last_name", CorpusMigrations.FORWARD_LAST);
    return List.of(
        new RenameColumn(
            CorpusMigrations.RENAME_ID,
            "primary",
            USERS,
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT),
        new TransformColumn(
            CorpusMigrations.SPLIT_ID,
            "primary",
            USERS,
            List.of("name"),
            List.of("first_name", "last_name"),
            forward,
            Map.of("name", CorpusMigrations.BACKWARD),
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT));
  }

  private static TurnoutFixture proxyFor(Phase phase) {
    return phase == Phase.READS ? reads : readsNew;
  }

  /** The expanded schema: the corpus's, split columns consistent, rename expanded and filled. */
  private static List<String> expanded() {
    List<String> setup = new ArrayList<>();
    setup.add(CorpusMigrations.CONSISTENT);
    setup.addAll(CorpusMigrations.EXPAND_RENAME);
    setup.addAll(SAME_LAYOUT);
    return setup;
  }

  @BeforeAll
  static void publishCatalogAndState() throws SQLException {
    // The catalog Turnout decides with: the expanded schema, as the control plane would load it.
    String db =
        CorpusRunner.createCorpusDatabase(
            reads.postgres(), reads.superuser(), "corpus_catalog", expanded());
    Catalog catalog;
    try (Connection c = DriverManager.getConnection(reads.directUrl(db), reads.superuser())) {
      catalog = CatalogLoader.load(c);
    }
    for (Phase phase : PHASES) {
      Routing routing = routings.get(phase);
      routing.catalog(catalog);
      routing.apply(
          new StateSnapshot(
              1,
              Map.of(
                  CorpusMigrations.RENAME_ID,
                  new MigrationState(CorpusMigrations.RENAME_ID, phase, 100, 0),
                  CorpusMigrations.SPLIT_ID,
                  new MigrationState(CorpusMigrations.SPLIT_ID, phase, 100, 0))));
    }
  }

  @AfterAll
  static void closeRoutings() {
    reads.close(); // the proxies first (idempotent), then what they route with
    readsNew.close();
    routings.values().forEach(Routing::close);
  }

  /** What one phase's run came to. */
  private static final class Tally {
    int executed;
    int identical;
    int identicalErrors;
    final List<String> volatileIds = new ArrayList<>();
    final Map<String, String> rejected = new TreeMap<>();
    final Map<String, String> knownGaps = new TreeMap<>();
    final Map<String, String> mismatches = new TreeMap<>();
    Map<String, Double> wire;
  }

  /** What the phase's proxy counted so far: reads by path, decisions, refusals. */
  private static Map<String, Double> wireCounts(Phase phase) {
    SimpleMeterRegistry registry = meters.get(phase);
    Map<String, Double> counts = new TreeMap<>();
    for (String path : List.of("old", "new")) {
      double n = 0;
      for (Counter c : registry.find("turnout.reads").tag("path", path).counters()) {
        n += c.count();
      }
      counts.put("routed reads served " + path, n);
    }
    for (FunctionCounter c : registry.find("turnout.statements").functionCounters()) {
      counts.put("decided " + c.getId().getTag("decision"), c.count());
    }
    double rejects = 0;
    for (Counter c : registry.find("turnout.rejects").counters()) {
      rejects += c.count();
    }
    counts.put("refused", rejects);
    return counts;
  }

  private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> d = new TreeMap<>();
    after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
    return d;
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void everyCorpusStatement_withBothMigrationsReadingNew_matchesTheOldSchema(Protocol protocol)
      throws Exception {
    List<CorpusStatement> statements = Corpus.statements();
    Map<String, Target> targets = new LinkedHashMap<>();
    Map<Phase, Tally> tallies = new EnumMap<>(Phase.class);
    Map<String, String> skipped = new TreeMap<>();
    int oldSucceeded = 0;
    int newCode = 0;
    try {
      targets.put("old", direct("old", CorpusMigrations.OLD_SHAPE, protocol));
      targets.put("control", direct("control", CorpusMigrations.OLD_SHAPE, protocol));
      targets.put("split", direct("split", CorpusMigrations.CONSISTENT, protocol));
      for (Phase phase : PHASES) {
        TurnoutFixture proxy = proxyFor(phase);
        String name = "turnout_" + phase.name().toLowerCase(Locale.ROOT);
        String db =
            CorpusRunner.createCorpusDatabase(
                proxy.postgres(), proxy.superuser(), "corpus_" + name, expanded());
        targets.put(
            name, CorpusRunner.connect(name, proxy.turnoutUrl(db), proxy.superuser(), protocol));
        Tally tally = new Tally();
        tally.wire = wireCounts(phase);
        tallies.put(phase, tally);
      }

      for (CorpusStatement s : statements) {
        JdbcPlaceholders.Bound bound;
        try {
          bound = JdbcPlaceholders.bind(s.sql(), s.paramValues());
        } catch (IllegalArgumentException e) {
          skipped.put(s.id(), "cannot bind the sample values: " + e.getMessage());
          continue;
        }
        Outcome old = CorpusRunner.execute(targets.get("old"), s, bound);
        Outcome control = CorpusRunner.execute(targets.get("control"), s, bound);
        Outcome split = CorpusRunner.execute(targets.get("split"), s, bound);
        boolean writtenForNew = writtenForNewSchema(s.sql());
        Outcome expected = writtenForNew ? split : old;
        if (writtenForNew) {
          newCode++;
        }
        if (old.error() == null) {
          oldSucceeded++;
        }
        for (Phase phase : PHASES) {
          Target target = targets.get("turnout_" + phase.name().toLowerCase(Locale.ROOT));
          Outcome viaTurnout = CorpusRunner.execute(target, s, bound);
          Tally tally = tallies.get(phase);
          tally.executed++;
          if (viaTurnout.error() != null && REFUSAL.matcher(viaTurnout.error()).matches()) {
            tally.rejected.put(s.id(), s.category() + " " + viaTurnout.error());
          } else if (viaTurnout.equals(expected)) {
            tally.identical++;
            if (expected.error() != null) {
              tally.identicalErrors++;
            }
          } else if (!writtenForNew
              && !old.equals(control)
              && viaTurnout.shape().equals(old.shape())) {
            tally.volatileIds.add(s.id());
          } else {
            String diff =
                "\n  sql:      "
                    + s.sql()
                    + "\n  params:   "
                    + s.paramValues()
                    + "\n  expected ("
                    + (writtenForNew ? "split" : "old")
                    + "): "
                    + expected
                    + "\n  turnout:  "
                    + viaTurnout;
            (KNOWN_GAPS.containsKey(s.id()) ? tally.knownGaps : tally.mismatches).put(s.id(), diff);
          }
        }
      }

      for (Phase phase : PHASES) {
        tallies.get(phase).wire = minus(wireCounts(phase), tallies.get(phase).wire);
      }
      long preparedOnOld = preparedStatements(targets.get("old"));
      StringBuilder report = new StringBuilder();
      report.append(
          String.format(
              Locale.ROOT,
              "protocol %s: %d statements, %d skipped %s, %d succeed on the old schema, %d written"
                  + " for the new schema (compared with split), %d named statements left prepared"
                  + " on old%n",
              protocol,
              statements.size(),
              skipped.size(),
              skipped,
              oldSucceeded,
              newCode,
              preparedOnOld));
      for (Phase phase : PHASES) {
        Tally t = tallies.get(phase);
        report.append(
            String.format(
                Locale.ROOT,
                "%n%s at 100%%: executed %d, identical %d (of which %d identical errors), same shape"
                    + " with volatile values %d %s, rejected %d %s, known gaps %d %s,"
                    + " mismatched %d %s%n  on the wire: %s%n",
                phase.name().toLowerCase(Locale.ROOT),
                t.executed,
                t.identical,
                t.identicalErrors,
                t.volatileIds.size(),
                t.volatileIds,
                t.rejected.size(),
                t.rejected.keySet(),
                t.knownGaps.size(),
                t.knownGaps.keySet(),
                t.mismatches.size(),
                t.mismatches.keySet(),
                t.wire));
        t.rejected.forEach(
            (id, e) -> report.append("  rejected ").append(id).append(": ").append(e).append('\n'));
        t.knownGaps.forEach(
            (id, d) ->
                report
                    .append("  known gap ")
                    .append(id)
                    .append(" (")
                    .append(KNOWN_GAPS.get(id))
                    .append("):")
                    .append(d)
                    .append('\n'));
        t.mismatches.forEach(
            (id, d) -> report.append("  MISMATCH ").append(id).append(':').append(d).append('\n'));
      }
      Path file =
          Path.of(
              "target",
              "corpus-migration-differential-" + protocol.name().toLowerCase(Locale.ROOT) + ".txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, report.toString(), StandardCharsets.UTF_8);
      log.info("[measure] corpus migration differential: {}", report);

      for (Phase phase : PHASES) {
        Tally t = tallies.get(phase);
        assertThat(t.mismatches)
            .as(
                "%s, %s: statements Turnout did not refuse whose result differs from the old schema's",
                protocol, phase)
            .isEmpty();
        assertThat(t.knownGaps.keySet())
            .as(
                "%s, %s: known gaps that still differ (remove fixed ones from KNOWN_GAPS)",
                protocol, phase)
            .isEqualTo(KNOWN_GAPS.keySet());
        assertThat(t.identical + t.volatileIds.size() + t.rejected.size() + t.knownGaps.size())
            .isEqualTo(t.executed);
        // Refusals name the migration and the phase, and only utility and PostgreSQL-specific
        // statements may need one: an ORM's statements are all served.
        t.rejected
            .values()
            .forEach(
                e ->
                    assertThat(e)
                        .matches("(UTILITY|PGSPEC) .*")
                        .contains("phase " + phase.name().toLowerCase(Locale.ROOT)));
        assertThat(t.rejected.size()).as("%s, %s: refused", protocol, phase).isLessThan(10);
        assertThat(t.wire.get("refused")).isEqualTo((double) t.rejected.size());
        // The statements went the migrated way: rewritten, and in reads every routed read new.
        assertThat(t.wire.get("decided rewrite"))
            .as("%s, %s: rewritten", protocol, phase)
            .isPositive();
        if (phase == Phase.READS) {
          assertThat(t.wire.get("routed reads served new"))
              .as("%s, reads at 100%%: routed reads served new", protocol)
              .isGreaterThan(20);
          assertThat(t.wire.get("routed reads served old")).isZero();
        }
      }
      // A broken setup (schema not loaded, say) fails everything identically: that must not pass.
      assertThat(oldSucceeded)
          .as("statements that succeeded on the old schema")
          .isGreaterThan(statements.size() * 8 / 10);
      if (protocol == Protocol.EXTENDED_NAMED) {
        assertThat(preparedOnOld).as("named statements were used").isGreaterThan(10);
      }
    } finally {
      for (Target t : targets.values()) {
        t.close();
      }
    }
  }

  /** A reference database: the corpus schema changed by {@code setup}, reached directly. */
  private static Target direct(String name, String setup, Protocol protocol) throws SQLException {
    List<String> all = new ArrayList<>();
    all.add(setup);
    all.addAll(SAME_LAYOUT);
    String db =
        CorpusRunner.createCorpusDatabase(
            reads.postgres(), reads.superuser(), "corpus_" + name, all);
    return CorpusRunner.connect(name, reads.directUrl(db), reads.superuser(), protocol);
  }

  /** Whether a statement names users and a column only the new schema has (new code). */
  static boolean writtenForNewSchema(String sql) {
    SqlTokens t = SqlTokens.scan(sql);
    boolean users = false;
    boolean newName = false;
    for (int i = 0; i < t.size(); i++) {
      String id = t.identifier(i);
      users |= "users".equals(id);
      newName |= id != null && NEW_NAMES.contains(id);
    }
    return users && newName;
  }

  private static long preparedStatements(Target target) throws SQLException {
    try (Statement st = target.connection.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from pg_prepared_statements")) {
      rs.next();
      long n = rs.getLong(1);
      target.connection.rollback();
      return n;
    }
  }
}
