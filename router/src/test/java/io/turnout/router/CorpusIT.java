package io.turnout.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.Phase;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementSplitter;
import io.turnout.router.route.Planner;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.corpus.Corpus;
import io.turnout.testkit.corpus.CorpusMigrations;
import io.turnout.testkit.corpus.CorpusStatement;
import io.turnout.testkit.junit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared corpus with {@code rename_column users.email → email_address} and {@code
 * transform_column users.name → first_name, last_name} both in phase {@code dual_write}, {@code
 * reads} and {@code reads_new}. Every statement is decided; statements that do not touch {@code
 * users} must pass byte-identical; every executable statement on {@code users} is run on
 * PostgreSQL, the original on the old schema and each variant on the expanded one (old code is
 * compared with a database without first_name and last_name, the shape it was written for), and
 * must show the same labels, types, rows, parameter types and stored values, with new =
 * forward(old) and old = backward(new) afterwards. The counts are written to {@code
 * target/corpus-counts-<phase>.txt}.
 */
@ExtendWith(PostgresExtension.class)
class CorpusIT {
  private static final String FORWARD_FIRST = CorpusMigrations.FORWARD_FIRST;
  private static final String FORWARD_LAST = CorpusMigrations.FORWARD_LAST;
  private static final String BACKWARD = CorpusMigrations.BACKWARD;
  private static final String OLD_SHAPE =
      "SELECT id, email, name, status, age, is_active, login_count, metadata, tags, created_at,"
          + " updated_at, last_login_at, deleted_at FROM users ORDER BY id";
  private static final String NEW_SHAPE =
      "SELECT id, email, first_name, last_name, status, age, is_active, login_count, metadata,"
          + " tags, last_login_at, deleted_at FROM users ORDER BY id";
  private static final String BROKEN =
      "SELECT id FROM users WHERE email_address IS DISTINCT FROM email"
          + " OR first_name IS DISTINCT FROM "
          + FORWARD_FIRST
          + " OR last_name IS DISTINCT FROM "
          + FORWARD_LAST
          + " OR name IS DISTINCT FROM "
          + BACKWARD
          + " ORDER BY id";
  private static final String SEQUENCES =
      "SELECT (SELECT last_value FROM users_id_seq), (SELECT last_value FROM orders_id_seq),"
          + " (SELECT last_value FROM jobs_id_seq)";
  private static final String RESET =
      "SELECT setval('users_id_seq', 1000, false), setval('orders_id_seq', 1000, false),"
          + " setval('jobs_id_seq', 1000, false), setval('audit_log_id_seq', 1000, false),"
          + " setval('events_id_seq', 1000, false)";

  private static Connection oldDb;
  private static Connection oldShapeDb;
  private static Connection newDb;
  private static Router router;

  static List<Migration> migrations() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("first_name", FORWARD_FIRST);
    forward.put("last_name", FORWARD_LAST);
    return List.of(
        new RenameColumn(
            CorpusMigrations.RENAME_ID,
            "primary",
            Fixture.USERS,
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT),
        new TransformColumn(
            CorpusMigrations.SPLIT_ID,
            "primary",
            Fixture.USERS,
            List.of("name"),
            List.of("first_name", "last_name"),
            forward,
            Map.of("name", BACKWARD),
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT));
  }

  @BeforeAll
  static void createDatabases(PostgresServer pg) throws SQLException {
    oldDb = pg.connect(pg.createDatabase("corpus_old"));
    newDb = pg.connect(pg.createDatabase("corpus_new"));
    for (Connection c : List.of(oldDb, newDb)) {
      try (Statement s = c.createStatement()) {
        s.execute(Corpus.schemaSql());
        // The split's new columns exist in the corpus schema; make them agree with name.
        s.execute(CorpusMigrations.CONSISTENT);
      }
    }
    try (Statement s = newDb.createStatement()) {
      for (String expand : CorpusMigrations.EXPAND_RENAME) {
        s.execute(expand);
      }
    }
    // What old application code expects: the split's new columns do not exist yet.
    oldShapeDb = pg.connect(pg.createDatabase("corpus_old_shape"));
    try (Statement s = oldShapeDb.createStatement()) {
      s.execute(Corpus.schemaSql());
      s.execute(CorpusMigrations.OLD_SHAPE);
    }
    oldShapeDb.setAutoCommit(false);
    Catalog catalog = CatalogLoader.load(newDb);
    router = new Router(migrations(), () -> catalog);
    oldDb.setAutoCommit(false);
    newDb.setAutoCommit(false);
  }

  @AfterAll
  static void close() throws SQLException {
    oldDb.close();
    oldShapeDb.close();
    newDb.close();
  }

  /** JDBC sends a Hibernate statement's {@code ?} placeholders as {@code $1…$n}. */
  static String jdbcPlaceholders(String sql) {
    SqlTokens t = SqlTokens.scan(sql);
    StringBuilder b = new StringBuilder();
    int pos = 0;
    int n = 0;
    for (int i = 0; i < t.size(); i++) {
      if (t.kind(i) == SqlTokens.QUESTION) {
        b.append(sql, pos, t.start(i)).append('$').append(++n);
        pos = t.end(i);
      } else if (t.kind(i) == SqlTokens.OPERATOR && t.text(i).endsWith("?")) {
        // "=?" is lexed as one operator; the placeholder is its last character.
        b.append(sql, pos, t.end(i) - 1).append('$').append(++n);
        pos = t.end(i);
      }
    }
    return b.append(sql.substring(pos)).toString();
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"DUAL_WRITE", "READS", "READS_NEW"})
  void everyStatement_isDecided_andUsersStatementsAreEquivalentOnPostgres(Phase phase)
      throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> report = new ArrayList<>();
    int executed = 0;
    for (CorpusStatement cs : Corpus.statements()) {
      String text = cs.source().startsWith("hibernate") ? jdbcPlaceholders(cs.sql()) : cs.sql();
      List<StatementSplitter.Piece> pieces = Router.split(text);
      boolean touchesUsers = false;
      for (StatementSplitter.Piece piece : pieces) {
        String sql = piece.sql();
        Planner.Outcome o = router.explain(sql, Fixture.state(phase));
        Decision d = o.decision();
        // explain is uncached; decide must agree with it.
        assertEquals(d, router.decide(sql, Fixture.state(phase)), cs.id());
        boolean users = mentionsUsers(sql);
        touchesUsers |= users;
        String kind = kindOf(d, o.unanalysedRead());
        String bucket = (users ? "users " : "other ") + cs.category() + " " + kind;
        counts.merge(bucket, 1, Integer::sum);
        counts.merge("all " + kind, 1, Integer::sum);
        report.add(
            cs.id()
                + " | "
                + cs.category()
                + " | "
                + cs.source()
                + " | "
                + kind
                + (o.reason() != null ? " | " + o.reason() : "")
                + (d instanceof Reject r ? " | " + r.message() : ""));
        if (!users) {
          if (d != PassThrough.INSTANCE) {
            failures.add(cs.id() + ": does not touch users but was " + d);
          }
          continue;
        }
        if (d instanceof Reject r) {
          if (!r.sqlstate().equals("0A000") || !r.message().contains("public.users")) {
            failures.add(cs.id() + ": reject without the right error: " + r);
          }
          if (!cs.category().equals("UTILITY") && !cs.category().equals("PGSPEC")) {
            failures.add(cs.id() + ": ORM statement rejected: " + r.message());
          }
          continue;
        }
        if (cs.hasTag("noexec") || cs.category().equals("UTILITY") || pieces.size() > 1) {
          continue;
        }
        executed++;
        String failure = verify(cs, sql, d);
        if (failure != null) {
          failures.add(cs.id() + ": " + failure);
        }
      }
      counts.merge(
          touchesUsers ? "statements touching users" : "statements not touching users",
          1,
          Integer::sum);
    }
    counts.put("executed on PostgreSQL", executed);
    StringBuilder out = new StringBuilder();
    counts.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-40s %d%n", k, v)));
    out.append('\n');
    report.forEach(line -> out.append(line).append('\n'));
    Path file =
        Path.of("target", "corpus-counts-" + phase.name().toLowerCase(Locale.ROOT) + ".txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  private static boolean mentionsUsers(String sql) {
    SqlTokens t = SqlTokens.scan(sql);
    for (int i = 0; i < t.size(); i++) {
      if ("users".equals(t.identifier(i))) {
        return true;
      }
    }
    return false;
  }

  private static String kindOf(Decision d, boolean unanalysed) {
    if (d instanceof PassThrough) {
      return unanalysed ? "pass(unanalysed read)" : "pass";
    }
    if (d instanceof Rewrite) {
      return "rewrite";
    }
    if (d instanceof Route) {
      return "route";
    }
    return "reject";
  }

  private static boolean isWrite(String category, String sql) {
    String s = sql.toLowerCase(Locale.ROOT);
    return category.equals("INSERT")
        || category.equals("UPDATE")
        || category.equals("DELETE")
        || s.startsWith("insert")
        || s.startsWith("update")
        || s.startsWith("delete")
        || (s.startsWith("with")
            && (s.contains("insert ") || s.contains("update ") || s.contains("delete ")));
  }

  /** Runs original and variants; returns a failure description or null. */
  private static String verify(CorpusStatement cs, String sql, Decision d) throws SQLException {
    List<String> variants = new ArrayList<>();
    if (d instanceof PassThrough) {
      variants.add(sql);
    } else if (d instanceof Rewrite r) {
      variants.add(r.sql());
    } else if (d instanceof Route r) {
      variants.add(r.oldSql());
      variants.add(r.newSql());
    }
    boolean write = isWrite(cs.category(), sql);
    String lower = sql.toLowerCase(Locale.ROOT);
    boolean newCode = lower.contains("first_name") || lower.contains("last_name");
    boolean ordered = lower.contains("order by") && !write;
    String shape = write ? (newCode ? NEW_SHAPE : OLD_SHAPE) : null;
    // Old code runs against the old shape; new code (first_name/last_name) against the corpus
    // schema, where those columns exist and agree with name.
    PgRun base =
        PgRun.run(
            newCode ? oldDb : oldShapeDb,
            sql,
            cs.params(),
            ordered,
            new PgRun.Checks(shape, null, SEQUENCES, RESET));
    for (String v : variants) {
      PgRun got =
          PgRun.run(
              newDb,
              v,
              cs.params(),
              ordered,
              new PgRun.Checks(shape, write ? BROKEN : null, SEQUENCES, RESET));
      String what = differs(base, got);
      if (what != null) {
        return what
            + "\n   original: "
            + sql
            + "\n   variant:  "
            + v
            + (got.errorMessage != null ? "\n   error: " + got.errorMessage : "")
            + (base.errorMessage != null ? "\n   original error: " + base.errorMessage : "");
      }
    }
    return null;
  }

  private static String differs(PgRun a, PgRun b) {
    if (!java.util.Objects.equals(a.error, b.error)) {
      return "error " + a.error + " vs " + b.error;
    }
    if (!java.util.Objects.equals(a.paramTypes, b.paramTypes)) {
      return "parameter types " + a.paramTypes + " vs " + b.paramTypes;
    }
    if (!a.labels.equals(b.labels)) {
      return "labels " + a.labels + " vs " + b.labels;
    }
    if (!a.types.equals(b.types)) {
      return "types " + a.types + " vs " + b.types;
    }
    if (a.count != b.count) {
      return "row count " + a.count + " vs " + b.count;
    }
    if (!a.rows.equals(b.rows)) {
      return "rows " + a.rows + " vs " + b.rows;
    }
    if (!a.snapshot.equals(b.snapshot)) {
      return "stored values differ";
    }
    if (!java.util.Objects.equals(a.sequences, b.sequences)) {
      return "sequence positions " + a.sequences + " vs " + b.sequences;
    }
    if (!b.broken.isEmpty()) {
      return "rows where new != forward(old): " + b.broken;
    }
    return null;
  }

  @Test
  void jdbcPlaceholders_numbersQuestionMarks() {
    assertEquals(
        "select a from t where b=$1 and c in ($2 , $3)",
        jdbcPlaceholders("select a from t where b=? and c in (? , ?)"));
  }
}
