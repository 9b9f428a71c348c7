package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.corpus.Corpus;
import io.turnout.testkit.corpus.CorpusStatement;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.CachedQuery;
import org.postgresql.core.Field;
import org.postgresql.core.Oid;
import org.postgresql.core.ParameterList;
import org.postgresql.core.Query;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.ResultCursor;
import org.postgresql.core.ResultHandlerBase;
import org.postgresql.core.TransactionState;
import org.postgresql.core.Tuple;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every statement of shared/corpus executed directly and through Turnout gives the same column
 * labels, column types, rows, command tags, notices and errors.
 *
 * <p>Three databases are loaded from schema.sql and fed the same statements in the same order:
 * {@code direct} and {@code control} directly, {@code turnout} through the proxy. Each statement
 * runs in a transaction that is rolled back; those tagged {@code noexec} (transaction control,
 * VACUUM, CONCURRENTLY, DISCARD, COPY) run outside one, on all three alike, so the databases stay
 * in step (sequences included). When direct and control disagree the statement is volatile (now(),
 * random(), the database's name…) and only its shape is compared.
 *
 * <p>Results are captured through pgJDBC's own query executor, because the JDBC API hides what is
 * compared here: the command tag and the type OID of each column. Types are compared by OID for
 * built-in types and by name for the databases' own (row types differ in OID between databases).
 */
class CorpusDifferentialIT {
  private static final Logger log = LoggerFactory.getLogger(CorpusDifferentialIT.class);

  /** OIDs below this are built into PostgreSQL and equal in every database. */
  private static final int FIRST_NORMAL_OID = 16384;

  private static final Pattern COPY_FROM_STDIN =
      Pattern.compile("(?is)^\\s*copy\\b.*\\bfrom\\s+stdin\\b.*");
  private static final Pattern COPY_TO_STDOUT =
      Pattern.compile("(?is)^\\s*copy\\b.*\\bto\\s+stdout\\b.*");

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  /** One command's result: its columns (labels and types), rows as text, and its tag. */
  record Part(List<String> labels, List<String> types, List<List<String>> rows, String tag) {
    String shape() {
      return labels + " " + types + " " + rows.size() + " rows, " + tag;
    }
  }

  /** Everything one execution produced. {@code error} is null when it succeeded. */
  record Outcome(List<Part> parts, List<String> notices, String error) {
    String shape() {
      StringBuilder sb = new StringBuilder();
      parts.forEach(p -> sb.append(p.shape()).append("; "));
      notices.forEach(n -> sb.append(n, 0, Math.min(n.length(), 12)).append("; "));
      return sb.append(error == null ? "ok" : error.substring(0, 5)).toString();
    }
  }

  /** Where one database is reached from, with its type-name cache. */
  private static final class Target {
    final String name;
    final Connection connection;
    final Map<Integer, String> typeNames = new HashMap<>();

    Target(String name, Connection connection) {
      this.name = name;
      this.connection = connection;
    }
  }

  @Test
  void everyCorpusStatement_throughTurnout_matchesDirect() throws Exception {
    List<CorpusStatement> statements = Corpus.statements();
    Map<String, Target> targets = new LinkedHashMap<>();
    try {
      targets.put("direct", open("direct", false));
      targets.put("control", open("control", false));
      targets.put("turnout", open("turnout", true));

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
        Outcome direct = execute(targets.get("direct"), s, bound);
        Outcome control = execute(targets.get("control"), s, bound);
        Outcome viaTurnout = execute(targets.get("turnout"), s, bound);
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
          "[measure] corpus differential: {} statements; executed {} ({} succeeded, {} failed), identical {}"
              + " (of which {} identical errors), same shape with volatile values {} {}, mismatched {}, skipped {} {}",
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
        t.connection.close();
      }
    }
  }

  /**
   * A fresh database loaded from schema.sql, and a connection to it (directly or through Turnout).
   */
  private static Target open(String name, boolean throughTurnout) throws SQLException {
    String db = turnout.postgres().createDatabase("corpus_" + name);
    Properties simple = turnout.superuser();
    simple.setProperty("preferQueryMode", "simple"); // the schema script as one Query message
    try (Connection c = DriverManager.getConnection(turnout.directUrl(db), simple);
        Statement st = c.createStatement()) {
      st.execute(Corpus.schemaSql());
    }
    Properties p = turnout.superuser();
    // A statement that would wait on something must fail the test, not hang it.
    p.setProperty("options", "-c statement_timeout=30000 -c lock_timeout=10000");
    Connection c =
        DriverManager.getConnection(
            throughTurnout ? turnout.turnoutUrl(db) : turnout.directUrl(db), p);
    c.setAutoCommit(false);
    return new Target(name, c);
  }

  /**
   * Runs one statement: in a transaction rolled back afterwards, or outside one for {@code noexec}
   * statements; COPY through the CopyManager (no rows in, everything out).
   */
  private static Outcome execute(Target target, CorpusStatement s, JdbcPlaceholders.Bound bound)
      throws SQLException {
    Connection c = target.connection;
    boolean transactional = !s.hasTag("noexec");
    Outcome outcome;
    if (COPY_FROM_STDIN.matcher(s.sql()).matches() || COPY_TO_STDOUT.matcher(s.sql()).matches()) {
      outcome = copy(c, s.sql(), transactional);
    } else {
      outcome = query(target, bound, transactional);
    }
    BaseConnection base = c.unwrap(BaseConnection.class);
    if (base.getTransactionState() != TransactionState.IDLE) {
      c.rollback();
    }
    return outcome;
  }

  private static Outcome query(Target target, JdbcPlaceholders.Bound bound, boolean transactional)
      throws SQLException {
    QueryExecutor executor = target.connection.unwrap(BaseConnection.class).getQueryExecutor();
    CachedQuery cached = executor.createQuery(bound.sql(), false, !bound.values().isEmpty());
    Query query = cached.query;
    ParameterList params = query.createParameterList();
    for (int i = 0; i < bound.values().size(); i++) {
      String v = bound.values().get(i);
      if (v == null) {
        params.setNull(i + 1, Oid.UNSPECIFIED);
      } else {
        params.setStringParameter(i + 1, v, Oid.UNSPECIFIED);
      }
    }
    Capture capture = new Capture();
    int flags =
        QueryExecutor.QUERY_NO_BINARY_TRANSFER
            | (transactional ? 0 : QueryExecutor.QUERY_SUPPRESS_BEGIN);
    executor.execute(query, params, capture, 0, 0, flags);
    if (executor.getTransactionState() != TransactionState.IDLE) {
      target.connection.rollback();
    }
    // Type names are looked up after the rollback: an aborted transaction answers nothing.
    List<Part> parts = new ArrayList<>();
    for (Part p : capture.parts) {
      List<String> types = new ArrayList<>();
      for (String oid : p.types()) {
        types.add(typeName(target, Integer.parseInt(oid)));
      }
      parts.add(new Part(p.labels(), types, p.rows(), p.tag()));
    }
    return new Outcome(parts, capture.notices, capture.error);
  }

  private static Outcome copy(Connection c, String sql, boolean transactional) throws SQLException {
    c.setAutoCommit(!transactional);
    try {
      var api = c.unwrap(PGConnection.class).getCopyAPI();
      if (COPY_FROM_STDIN.matcher(sql).matches()) {
        long rows = api.copyIn(sql, new StringReader(""));
        return new Outcome(
            List.of(new Part(List.of(), List.of(), List.of(), "COPY " + rows)), List.of(), null);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long rows = api.copyOut(sql, out);
      return new Outcome(
          List.of(
              new Part(
                  List.of(),
                  List.of(),
                  List.of(List.of(out.toString(StandardCharsets.UTF_8))),
                  "COPY " + rows)),
          List.of(),
          null);
    } catch (PSQLException e) {
      return new Outcome(List.of(), List.of(), describe(e));
    } catch (java.io.IOException e) {
      throw new SQLException("COPY failed locally: " + e, e);
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      c.setAutoCommit(false);
    }
  }

  private static String typeName(Target target, int oid) throws SQLException {
    if (oid < FIRST_NORMAL_OID) {
      return "oid " + oid;
    }
    String cached = target.typeNames.get(oid);
    if (cached != null) {
      return cached;
    }
    String name;
    try (PreparedStatement ps =
        target.connection.prepareStatement("select format_type(?::oid, null)")) {
      ps.setInt(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        name = rs.getString(1);
      }
    }
    target.connection.rollback();
    target.typeNames.put(oid, name);
    return name;
  }

  private static String describe(SQLException e) {
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      ServerErrorMessage m = p.getServerErrorMessage();
      return m.getSQLState()
          + " "
          + m.getSeverity()
          + ": "
          + m.getMessage()
          + (m.getDetail() == null ? "" : " DETAIL " + m.getDetail())
          + (m.getHint() == null ? "" : " HINT " + m.getHint())
          + (m.getPosition() == 0 ? "" : " at " + m.getPosition());
    }
    return String.valueOf(e.getSQLState()) + " (client) " + e.getMessage();
  }

  /** Collects rows, tags, notices and the first error, in the order the server sent them. */
  private static final class Capture extends ResultHandlerBase {
    final List<Part> parts = new ArrayList<>();
    final List<String> notices = new ArrayList<>();
    String error;
    private Part pendingRows;

    @Override
    public void handleResultRows(
        Query fromQuery, Field[] fields, List<Tuple> tuples, ResultCursor cursor) {
      List<String> labels = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (Field f : fields) {
        labels.add(f.getColumnLabel());
        types.add(String.valueOf(f.getOID()));
      }
      List<List<String>> rows = new ArrayList<>();
      for (Tuple t : tuples) {
        List<String> row = new ArrayList<>();
        for (int i = 0; i < t.fieldCount(); i++) {
          byte[] v = t.get(i);
          row.add(v == null ? null : new String(v, StandardCharsets.UTF_8));
        }
        rows.add(row);
      }
      pendingRows = new Part(labels, types, rows, null);
    }

    @Override
    public void handleCommandStatus(String status, long updateCount, long insertOID) {
      Part rows = pendingRows;
      pendingRows = null;
      parts.add(
          rows == null
              ? new Part(List.of(), List.of(), List.of(), status)
              : new Part(rows.labels(), rows.types(), rows.rows(), status));
    }

    @Override
    public void handleWarning(SQLWarning warning) {
      ServerErrorMessage m = warning instanceof PSQLWarning w ? w.getServerErrorMessage() : null;
      notices.add(
          m == null
              ? warning.getSQLState() + " " + warning.getMessage()
              : m.getSQLState() + " " + m.getSeverity() + ": " + m.getMessage());
    }

    @Override
    public void handleError(SQLException e) {
      if (error == null) {
        error = describe(e);
      }
    }

    @Override
    public void handleCompletion() {
      if (pendingRows != null) { // rows without a tag: a suspended portal, which we never ask for
        parts.add(pendingRows);
        pendingRows = null;
      }
    }
  }
}
