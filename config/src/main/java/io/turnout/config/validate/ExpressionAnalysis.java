package io.turnout.config.validate;

import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.UserVariable;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * What a {@code forward} or {@code backward} expression of a plan is made of: whether it parses,
 * the columns of the migrated row it reads (folded), and what it does that a plan expression must
 * not. A plan expression is evaluated once per row by dual-write and again by backfill and verify,
 * so it must be a pure function of that row: no subqueries, parameters, aggregates, window
 * functions, volatile or clock functions, or session-dependent values; otherwise backfill and
 * dual-write would store different values and verify would report drift.
 *
 * @param columns columns the expression reads, folded, in order of first use
 * @param words every word of the expression outside strings and comments that is not a function or
 *     type name, folded: a superset of the columns, used as a safety net by {@link
 *     #referencedAmong}
 * @param refusals one sentence per construct that is not allowed, e.g. {@code calls random(), which
 *     is volatile}
 */
public record ExpressionAnalysis(
    String expression,
    Optional<String> syntaxError,
    Set<String> columns,
    List<String> refusals,
    Set<String> words) {

  private static final Set<String> VOLATILE_FUNCTIONS =
      Set.of(
          "random",
          "random_normal",
          "setseed",
          "now",
          "clock_timestamp",
          "statement_timestamp",
          "transaction_timestamp",
          "timeofday",
          "nextval",
          "currval",
          "lastval",
          "setval",
          "gen_random_uuid",
          "uuidv4",
          "uuidv7",
          "uuid_generate_v1",
          "uuid_generate_v1mc",
          "uuid_generate_v4",
          "txid_current",
          "pg_current_xact_id",
          "current_setting",
          "set_config",
          "pg_backend_pid",
          "inet_client_addr",
          "inet_client_port");

  private static final Set<String> AGGREGATE_FUNCTIONS =
      Set.of(
          "count",
          "sum",
          "avg",
          "min",
          "max",
          "array_agg",
          "string_agg",
          "bool_and",
          "bool_or",
          "every",
          "json_agg",
          "jsonb_agg",
          "json_object_agg",
          "jsonb_object_agg",
          "xmlagg",
          "bit_and",
          "bit_or",
          "bit_xor",
          "stddev",
          "variance");

  /** Key words JSqlParser reads as column names but PostgreSQL evaluates per session. */
  private static final Set<String> SESSION_WORDS =
      Set.of(
          "localtime",
          "localtimestamp",
          "current_user",
          "session_user",
          "current_role",
          "user",
          "current_catalog",
          "current_schema",
          "system_user");

  public ExpressionAnalysis {
    columns = Collections.unmodifiableSet(new LinkedHashSet<>(columns));
    refusals = List.copyOf(refusals);
    words = Collections.unmodifiableSet(new LinkedHashSet<>(words));
  }

  /** True when the expression parses and uses nothing a plan expression must not. */
  public boolean acceptable() {
    return syntaxError.isEmpty() && refusals.isEmpty();
  }

  /**
   * The columns among {@code known} that the expression reads: those the parse tree shows, plus any
   * known column name that appears as a word. The second part is a safety net for constructs whose
   * operands JSqlParser's tree walk does not visit; it can only over-report, and only for a column
   * named like a key word (a column {@code year} in {@code extract(year from born)}).
   */
  public Set<String> referencedAmong(Collection<String> known) {
    Set<String> out = new LinkedHashSet<>(columns);
    for (String w : words) {
      if (known.contains(w)) {
        out.add(w);
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * Every problem with this expression as a plan expression that may read only {@code readable}
   * columns ({@code readableKind} is "old" for forward, "new" for backward), one sentence each;
   * empty when it is fine. {@code known} are other column names the expression might mention by
   * mistake (the other side of the migration, the table's columns).
   */
  public List<String> problems(
      Collection<String> readable, String readableKind, Collection<String> known) {
    List<String> out = new ArrayList<>();
    if (syntaxError.isPresent()) {
      out.add("'" + expression + "' " + syntaxError.get());
      return out;
    }
    for (String refusal : refusals) {
      out.add("the expression " + refusal);
    }
    Set<String> candidates = new LinkedHashSet<>(known);
    candidates.addAll(readable);
    for (String used : referencedAmong(candidates)) {
      if (!readable.contains(used)) {
        out.add(
            "uses column '"
                + used
                + "', which is not "
                + (readableKind.equals("old") ? "an old" : "a new")
                + " column ("
                + (readableKind.equals("old") ? "a forward" : "a backward")
                + " expression may read only the "
                + readableKind
                + " columns: "
                + String.join(", ", readable)
                + ")");
      }
    }
    return out;
  }

  /**
   * Analyses one expression over a row of {@code table}. A column qualified with another table name
   * is refused.
   */
  public static ExpressionAnalysis of(String expression, TableName table) {
    List<String> refusals = new ArrayList<>();
    if (expression.isBlank()) {
      return new ExpressionAnalysis(
          expression, Optional.of("expression is empty"), Set.of(), refusals, Set.of());
    }
    Set<String> words = new LinkedHashSet<>();
    scan(expression, refusals, words);
    Expression parsed;
    try {
      // parseExpression runs on the calling thread (unlike parseStatements) and, with
      // allowPartialParse false, refuses trailing text such as "a b".
      parsed = CCJSqlParserUtil.parseExpression(expression, false);
    } catch (JSQLParserException | RuntimeException e) {
      return new ExpressionAnalysis(
          expression, Optional.of(describeFailure(e)), Set.of(), dedupe(refusals), words);
    }
    Set<String> columns = new LinkedHashSet<>();
    parsed.accept(new Walker(table, columns, refusals), null);
    return new ExpressionAnalysis(expression, Optional.empty(), columns, dedupe(refusals), words);
  }

  /**
   * A lexical pass before parsing. It refuses what JSqlParser mishandles: tagged dollar quotes
   * (silently truncated, DESIGN decision 1), {@code U&'…'} strings, and backticks (MySQL quoting;
   * JSqlParser drops what follows one). A bare {@code $} is a parameter. It also collects the words
   * that could be column names, so that a column inside a construct the parse-tree walk does not
   * enter is still seen (see {@link #referencedAmong}).
   */
  private static void scan(String s, List<String> refusals, Set<String> words) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        boolean backslashEscapes = i > 0 && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E');
        i++;
        while (i < n) {
          char d = s.charAt(i);
          if (backslashEscapes && d == '\\') {
            i += 2;
            continue;
          }
          if (d == '\'') {
            if (i + 1 < n && s.charAt(i + 1) == '\'') {
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
      } else if (c == '"') {
        int close = s.indexOf('"', i + 1);
        if (close > i + 1) {
          addWord(s, i, close + 1, s.substring(i + 1, close), words);
        }
        i = close < 0 ? n : close;
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? n : nl;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int close = s.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 1;
      } else if (c == '$' && (i == 0 || !isIdentChar(s.charAt(i - 1)))) {
        refusals.add(
            "uses '$' (a parameter or a dollar-quoted string); write constants as '…' strings");
      } else if (c == '`') {
        refusals.add("uses '`', which PostgreSQL does not accept; double-quote names instead");
      } else if (Character.isISOControl(c) && !Character.isWhitespace(c)) {
        refusals.add("contains the control character U+" + String.format("%04X", (int) c));
      } else if ((c == 'U' || c == 'u')
          && i + 2 < n
          && s.charAt(i + 1) == '&'
          && (s.charAt(i + 2) == '\'' || s.charAt(i + 2) == '"')
          && (i == 0 || !isIdentChar(s.charAt(i - 1)))) {
        refusals.add("uses a U&'…' Unicode-escaped literal; write the characters directly");
      } else if (Character.isLetter(c) || c == '_') {
        int end = i + 1;
        while (end < n && isIdentChar(s.charAt(end))) {
          end++;
        }
        if (!(end < n && s.charAt(end) == '\'')) { // not a prefix such as E'…' or B'…'
          addWord(s, i, end, s.substring(i, end).toLowerCase(Locale.ROOT), words);
        }
        i = end - 1;
      } else if (Character.isDigit(c)) {
        while (i + 1 < n && (isIdentChar(s.charAt(i + 1)) || s.charAt(i + 1) == '.')) {
          i++;
        }
      }
    }
  }

  /** Keeps a word unless it names a function ({@code f(}) or a type ({@code ::t}). */
  private static void addWord(String s, int start, int end, String word, Set<String> words) {
    int next = end;
    while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
      next++;
    }
    boolean call = next < s.length() && s.charAt(next) == '(';
    boolean type = start >= 2 && s.startsWith("::", start - 2);
    if (!call && !type) {
      words.add(word);
    }
  }

  private static boolean isIdentChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private static List<String> dedupe(List<String> refusals) {
    return new ArrayList<>(new LinkedHashSet<>(refusals));
  }

  private static final Pattern ENCOUNTERED =
      Pattern.compile("Encountered:\\s*(.*?),\\s*at line (\\d+), column (\\d+)");
  private static final Pattern PARTIAL =
      Pattern.compile("could only parse partial expression (.*)");

  /** JSqlParser's message, shortened to what an operator needs: what and where. */
  private static String describeFailure(Exception e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    Matcher found = ENCOUNTERED.matcher(m);
    if (found.find()) {
      String token = found.group(1).strip();
      if (token.equals("<EOF>")) {
        return "does not parse: the expression ends too early";
      }
      int slash = token.indexOf(" / ");
      if (slash >= 0) {
        token = token.substring(slash + 3);
      }
      if (token.length() >= 2 && token.startsWith("\"") && token.endsWith("\"")) {
        token = token.substring(1, token.length() - 1);
      }
      return "does not parse: unexpected '" + token + "' at character " + found.group(3);
    }
    Matcher partial = PARTIAL.matcher(m);
    if (partial.find()) {
      return "does not parse: unexpected text after '" + partial.group(1).strip() + "'";
    }
    String first = m.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    return "does not parse" + (first.isEmpty() ? "" : ": " + first);
  }

  /** Collects columns and refusals; every other node is walked by the adapter. */
  private static final class Walker extends ExpressionVisitorAdapter<Void> {
    private final TableName table;
    private final Set<String> columns;
    private final List<String> refusals;

    Walker(TableName table, Set<String> columns, List<String> refusals) {
      this.table = table;
      this.columns = columns;
      this.refusals = refusals;
    }

    @Override
    public <S> Void visit(Column column, S context) {
      String raw = column.getColumnName();
      boolean quoted = raw.startsWith("\"");
      if (column.getTable() == null && !quoted) {
        String word = raw.toLowerCase(Locale.ROOT);
        if (SESSION_WORDS.contains(word)) {
          refusals.add("uses " + word + ", which depends on the session");
          return null;
        }
        if (word.equals("default")) {
          refusals.add("uses DEFAULT, which is not a value");
          return null;
        }
      }
      if (column.getTable() != null && column.getTable().getFullyQualifiedName() != null) {
        String qualifier = column.getTable().getFullyQualifiedName();
        boolean ours;
        try {
          List<String> parts = Identifiers.split(qualifier);
          ours =
              (parts.size() == 1 && parts.get(0).equals(table.name()))
                  || (parts.size() == 2
                      && parts.get(0).equals(table.schema())
                      && parts.get(1).equals(table.name()));
        } catch (IllegalArgumentException e) {
          ours = false;
        }
        if (!ours) {
          refusals.add(
              "refers to '"
                  + qualifier
                  + "."
                  + raw
                  + "'; an expression sees only the row of "
                  + table);
          return null;
        }
      }
      try {
        columns.add(Identifiers.fold(raw));
      } catch (IllegalArgumentException e) {
        refusals.add("has a bad column name: " + e.getMessage());
      }
      return null;
    }

    @Override
    public <S> Void visit(Function function, S context) {
      String name = function.getName();
      if (name != null) {
        int dot = name.lastIndexOf('.');
        String simple = (dot >= 0 ? name.substring(dot + 1) : name).toLowerCase(Locale.ROOT);
        if (VOLATILE_FUNCTIONS.contains(simple)) {
          refusals.add(
              "calls "
                  + simple
                  + "(), which is volatile or time-dependent, so backfill and dual-write would"
                  + " store different values");
        } else if (AGGREGATE_FUNCTIONS.contains(simple)) {
          refusals.add("calls the aggregate " + simple + "(); an expression sees one row");
        }
      }
      super.visit(function, context);
      // substring(a FROM b), position(a IN b), overlay(…): operands the adapter does not visit.
      if (function.getNamedParameters() != null) {
        for (Expression e : function.getNamedParameters()) {
          e.accept(this, context);
        }
      }
      return null;
    }

    @Override
    public <S> Void visit(TrimFunction trim, S context) {
      if (trim.getExpression() != null) {
        trim.getExpression().accept(this, context);
      }
      if (trim.getFromExpression() != null) {
        trim.getFromExpression().accept(this, context);
      }
      return null;
    }

    @Override
    public <S> Void visit(TimeKeyExpression expression, S context) {
      refusals.add(
          "uses "
              + expression.getStringValue().toLowerCase(Locale.ROOT)
              + ", which changes with time, so backfill and dual-write would store different"
              + " values");
      return null;
    }

    @Override
    public <S> Void visit(NextValExpression expression, S context) {
      refusals.add("calls nextval, which is volatile");
      return null;
    }

    @Override
    public <S> Void visit(AnalyticExpression expression, S context) {
      refusals.add("uses a window or aggregate function; an expression sees one row");
      return null;
    }

    @Override
    public <S> Void visit(ParenthesedSelect select, S context) {
      refusals.add("contains a subquery; an expression sees only the row of " + table);
      return null;
    }

    @Override
    public <S> Void visit(Select select, S context) {
      refusals.add("contains a subquery; an expression sees only the row of " + table);
      return null;
    }

    @Override
    public <S> Void visit(ExistsExpression exists, S context) {
      refusals.add("contains a subquery; an expression sees only the row of " + table);
      return null;
    }

    @Override
    public <S> Void visit(JdbcParameter parameter, S context) {
      refusals.add("uses a parameter; a plan expression has no parameters");
      return null;
    }

    @Override
    public <S> Void visit(JdbcNamedParameter parameter, S context) {
      refusals.add("uses a parameter; a plan expression has no parameters");
      return null;
    }

    @Override
    public <S> Void visit(UserVariable variable, S context) {
      refusals.add("uses a variable; a plan expression has no variables");
      return null;
    }
  }
}
