package io.turnout.proxy.it;

import io.turnout.testkit.PostgresServer;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
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

/**
 * Runs corpus statements on one database and captures everything a client could tell apart, for the
 * corpus differentials: column labels and types, rows as text, command tags, notices and the error.
 * Each statement runs in a transaction that is rolled back; those tagged {@code noexec}
 * (transaction control, VACUUM, CONCURRENTLY, DISCARD, COPY) run outside one.
 *
 * <p>Results are captured through pgJDBC's own query executor, because the JDBC API hides what is
 * compared here: the command tag and the type OID of each column. Types are compared by OID for
 * built-in types and by name for the databases' own (row types differ in OID between databases).
 */
final class CorpusRunner {
  /** OIDs below this are built into PostgreSQL and equal in every database. */
  private static final int FIRST_NORMAL_OID = 16384;

  private static final Pattern COPY_FROM_STDIN =
      Pattern.compile("(?is)^\\s*copy\\b.*\\bfrom\\s+stdin\\b.*");
  private static final Pattern COPY_TO_STDOUT =
      Pattern.compile("(?is)^\\s*copy\\b.*\\bto\\s+stdout\\b.*");

  private CorpusRunner() {}

  /** How pgJDBC sends each statement. */
  enum Protocol {
    /** One Query message, parameters inlined by the driver ({@code preferQueryMode=simple}). */
    SIMPLE,
    /** Parse/Bind/Execute of the unnamed statement: pgJDBC's first executions of a statement. */
    EXTENDED_UNNAMED,
    /**
     * A named server-side statement, prepared at the first execution ({@code prepareThreshold=1});
     * the driver closes it when its statement cache evicts it.
     */
    EXTENDED_NAMED
  }

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

  /** Where one database is reached from, how statements are sent, with its type-name cache. */
  static final class Target implements AutoCloseable {
    final String name;
    final Connection connection;
    final Protocol protocol;
    final Map<Integer, String> typeNames = new HashMap<>();

    Target(String name, Connection connection, Protocol protocol) {
      this.name = name;
      this.connection = connection;
      this.protocol = protocol;
    }

    @Override
    public void close() throws SQLException {
      connection.close();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A fresh database loaded from schema.sql, then {@code setup} (run directly, in order).
   *
   * @return its name
   */
  static String createCorpusDatabase(
      PostgresServer postgres, Properties credentials, String prefix, List<String> setup)
      throws SQLException {
    String db = postgres.createDatabase(prefix);
    Properties simple = new Properties();
    simple.putAll(credentials);
    simple.setProperty("preferQueryMode", "simple"); // the schema script as one Query message
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(db), simple);
        Statement st = c.createStatement()) {
      st.execute(Corpus.schemaSql());
      for (String sql : setup) {
        st.execute(sql);
      }
    }
    return db;
  }

  /** A connection to {@code url} (a database directly, or through Turnout) for {@link #execute}. */
  static Target connect(String name, String url, Properties credentials, Protocol protocol)
      throws SQLException {
    Properties p = new Properties();
    p.putAll(credentials);
    // A statement that would wait on something must fail the test, not hang it.
    p.setProperty("options", "-c statement_timeout=30000 -c lock_timeout=10000");
    switch (protocol) {
      case SIMPLE -> p.setProperty("preferQueryMode", "simple");
      case EXTENDED_UNNAMED -> p.setProperty("preferQueryMode", "extended");
      case EXTENDED_NAMED -> {
        p.setProperty("preferQueryMode", "extended");
        p.setProperty("prepareThreshold", "1");
      }
    }
    Connection c = DriverManager.getConnection(url, p);
    c.setAutoCommit(false);
    return new Target(name, c, protocol);
  }

  /**
   * Runs one statement: in a transaction rolled back afterwards, or outside one for {@code noexec}
   * statements; COPY through the CopyManager (no rows in, everything out).
   */
  static Outcome execute(Target target, CorpusStatement s, JdbcPlaceholders.Bound bound)
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
            | (transactional ? 0 : QueryExecutor.QUERY_SUPPRESS_BEGIN)
            | switch (target.protocol) {
              case SIMPLE -> QueryExecutor.QUERY_EXECUTE_AS_SIMPLE;
              case EXTENDED_UNNAMED -> QueryExecutor.QUERY_ONESHOT;
              // Without ONESHOT the driver parses into a named statement (S_n) and reuses it.
              case EXTENDED_NAMED -> 0;
            };
    try {
      executor.execute(query, params, capture, 0, 0, flags);
    } finally {
      executor.releaseQuery(cached); // back into the statement cache, which may evict and close
    }
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

  static String describe(SQLException e) {
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
