package io.turnout.bench.router;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.TableInfo;
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
import io.turnout.router.Router;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementSplitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;
import net.sf.jsqlparser.statement.create.table.CreateTable;

/**
 * The shared corpus as the router benchmarks see it: its statements (Hibernate {@code ?} turned
 * into {@code $n} as JDBC sends them), a catalog built from schema.sql's CREATE TABLEs plus the
 * expanded {@code users.email_address}, and the two corpus migrations ({@code users.email →
 * email_address}, {@code users.name → first_name, last_name}) in phase {@code reads}.
 */
final class CorpusFixture {
  record Stmt(String id, String category, String sql, boolean touchesUsers) {}

  static final TableName USERS = new TableName("public", "users");

  final List<Stmt> statements;
  final Catalog catalog;
  final List<Migration> migrations;
  final StateSnapshot state;

  CorpusFixture() {
    Path dir = corpusDir();
    try {
      this.statements =
          parse(Files.readString(dir.resolve("statements.sql"), StandardCharsets.UTF_8));
      this.catalog = catalog(Files.readString(dir.resolve("schema.sql"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("first_name", "split_part(name, ' ', 1)");
    forward.put("last_name", "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')");
    this.migrations =
        List.of(
            new RenameColumn(
                "rename-email",
                "primary",
                USERS,
                "email",
                "email_address",
                ReadPolicy.DEFAULT,
                ShadowPolicy.DEFAULT,
                UnanalysablePolicy.DEFAULT),
            new TransformColumn(
                "split-name",
                "primary",
                USERS,
                List.of("name"),
                List.of("first_name", "last_name"),
                forward,
                Map.of("name", "nullif(concat_ws(' ', first_name, last_name), '')"),
                ReadPolicy.DEFAULT,
                ShadowPolicy.DEFAULT,
                UnanalysablePolicy.DEFAULT));
    this.state =
        new StateSnapshot(
            1,
            Map.of(
                "rename-email", new MigrationState("rename-email", Phase.READS, 50, 0),
                "split-name", new MigrationState("split-name", Phase.READS, 50, 0)));
  }

  Router router() {
    return new Router(migrations, () -> catalog);
  }

  List<String> sql(boolean touchesUsers, String category) {
    List<String> out = new ArrayList<>();
    for (Stmt s : statements) {
      if (s.touchesUsers() == touchesUsers && (category == null || s.category().equals(category))) {
        out.add(s.sql());
      }
    }
    return out;
  }

  /** TURNOUT_CORPUS_DIR, -Dturnout.corpus.dir, else ../shared/corpus from the repository root. */
  static Path corpusDir() {
    String configured =
        System.getProperty("turnout.corpus.dir", System.getenv("TURNOUT_CORPUS_DIR"));
    if (configured != null) {
      return Path.of(configured);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolveSibling("shared").resolve("corpus");
      if (Files.exists(p.resolve("pom.xml")) && Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("corpus not found: set TURNOUT_CORPUS_DIR");
  }

  private static List<Stmt> parse(String text) {
    List<Stmt> out = new ArrayList<>();
    String id = null;
    String category = null;
    String source = null;
    StringBuilder sql = new StringBuilder();
    for (String line : (text + "\n--@@ end | END | end |").split("\n")) {
      if (line.startsWith("--@@")) {
        if (id != null) {
          String s = sql.toString().strip();
          if (source.startsWith("hibernate")) {
            s = jdbcPlaceholders(s);
          }
          for (StatementSplitter.Piece piece : StatementSplitter.split(s)) {
            out.add(new Stmt(id, category, piece.sql(), mentionsUsers(piece.sql())));
          }
        }
        String[] parts = line.substring(4).split("\\|");
        id = parts[0].strip();
        category = parts.length > 1 ? parts[1].strip() : "";
        source = parts.length > 2 ? parts[2].strip() : "";
        sql.setLength(0);
      } else if (!line.startsWith("--@p")) {
        sql.append(line).append('\n');
      }
    }
    return out;
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
        b.append(sql, pos, t.end(i) - 1).append('$').append(++n);
        pos = t.end(i);
      }
    }
    return b.append(sql.substring(pos)).toString();
  }

  /** Tables and columns from schema.sql's CREATE TABLEs (types as written), plus the expand. */
  private static Catalog catalog(String schema) {
    Map<TableName, TableInfo> tables = new LinkedHashMap<>();
    for (StatementSplitter.Piece piece : StatementSplitter.split(schema)) {
      String sql = piece.sql().strip();
      if (!sql.regionMatches(true, 0, "create table", 0, 12)) {
        continue;
      }
      Statement st;
      try {
        st = CCJSqlParserUtil.parse(sql);
      } catch (Exception e) {
        continue;
      }
      if (!(st instanceof CreateTable ct)) {
        continue;
      }
      String schemaName =
          ct.getTable().getSchemaName() == null ? "public" : fold(ct.getTable().getSchemaName());
      TableName name = new TableName(schemaName, fold(ct.getTable().getName()));
      List<ColumnInfo> cols = new ArrayList<>();
      for (ColumnDefinition cd : ct.getColumnDefinitions()) {
        String col = fold(cd.getColumnName());
        String type = cd.getColDataType().toString().toLowerCase(Locale.ROOT);
        String spec = cd.getColumnSpecs() == null ? "" : String.join(" ", cd.getColumnSpecs());
        String specLower = spec.toLowerCase(Locale.ROOT);
        boolean notNull = specLower.contains("not null") || specLower.contains("primary key");
        String def = null;
        int d = specLower.indexOf("default ");
        if (d >= 0) {
          def =
              spec.substring(d + 8)
                  .split(" (?i)(not|null|unique|primary|references|check)\\b")[0]
                  .strip();
        }
        if (type.endsWith("serial")) {
          def = "nextval('" + name.name() + "_" + col + "_seq'::regclass)";
          type = type.startsWith("big") ? "bigint" : "integer";
        }
        cols.add(new ColumnInfo(col, type, 0, notNull, Optional.ofNullable(def)));
      }
      if (name.equals(USERS)) {
        cols.add(
            new ColumnInfo(
                "email_address", "character varying(255)", 1043, false, Optional.empty()));
      }
      tables.put(name, new TableInfo(name, cols, List.of(), List.of()));
    }
    return new Catalog(List.of("public"), tables);
  }

  private static String fold(String name) {
    return name.startsWith("\"")
        ? name.substring(1, name.length() - 1)
        : name.toLowerCase(Locale.ROOT);
  }
}
