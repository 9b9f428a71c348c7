package io.turnout.router.rewrite;

import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Whether an expression may be written twice into one statement without changing what is stored.
 * Parameters, literals, column references, operators and functions known to be immutable or stable
 * qualify; everything else — {@code nextval}, {@code random()}, {@code gen_random_uuid()}, {@code
 * clock_timestamp()}, any user function and any sub-select — is treated as volatile and evaluated
 * once by the rewrite.
 */
public final class Volatility {
  /** Immutable or stable built-ins (pg_proc.provolate 'i' or 's') that applications use. */
  private static final Set<String> STABLE =
      Set.of(
          "abs",
          "array_append",
          "array_cat",
          "array_length",
          "array_position",
          "array_prepend",
          "array_remove",
          "array_replace",
          "array_to_string",
          "btrim",
          "cardinality",
          "cast",
          "ceil",
          "ceiling",
          "char_length",
          "character_length",
          "coalesce",
          "concat",
          "concat_ws",
          "current_date",
          "current_setting",
          "current_time",
          "current_timestamp",
          "date",
          "date_part",
          "date_trunc",
          "decode",
          "encode",
          "extract",
          "floor",
          "format",
          "greatest",
          "initcap",
          "json_build_array",
          "json_build_object",
          "jsonb_build_array",
          "jsonb_build_object",
          "jsonb_set",
          "jsonb_strip_nulls",
          "left",
          "length",
          "least",
          "localtime",
          "localtimestamp",
          "lower",
          "lpad",
          "ltrim",
          "make_date",
          "make_interval",
          "make_timestamp",
          "make_timestamptz",
          "md5",
          "mod",
          "now",
          "nullif",
          "overlay",
          "position",
          "power",
          "regexp_replace",
          "repeat",
          "replace",
          "reverse",
          "right",
          "round",
          "rpad",
          "rtrim",
          "sha256",
          "split_part",
          "sqrt",
          "statement_timestamp",
          "string_to_array",
          "strpos",
          "substr",
          "substring",
          "to_char",
          "to_date",
          "to_json",
          "to_jsonb",
          "to_number",
          "to_timestamp",
          "transaction_timestamp",
          "translate",
          "trim",
          "trunc",
          "upper");

  private Volatility() {}

  /** True when {@code e} may be evaluated more than once with the same result. */
  public static boolean isStable(Expression e) {
    boolean[] stable = {true};
    e.accept(
        new ExpressionVisitorAdapter<Void>() {
          @Override
          public <S> Void visit(Function f, S context) {
            String name = f.getName() == null ? "" : f.getName().toLowerCase(Locale.ROOT);
            int dot = name.lastIndexOf('.');
            if (dot >= 0) {
              String schema = name.substring(0, dot);
              name = name.substring(dot + 1);
              if (!schema.equals("pg_catalog")) {
                stable[0] = false;
              }
            }
            if (!STABLE.contains(name)) {
              stable[0] = false;
            }
            return super.visit(f, context);
          }

          @Override
          public <S> Void visit(ParenthesedSelect s, S context) {
            stable[0] = false;
            return null;
          }

          @Override
          public <S> Void visit(Select s, S context) {
            stable[0] = false;
            return null;
          }

          @Override
          public <S> Void visit(ExistsExpression s, S context) {
            stable[0] = false;
            return null;
          }
        },
        null);
    return stable[0];
  }

  /** True for a plan or catalog expression text (a column default), parsed on demand. */
  public static boolean isStableText(String expression) {
    try {
      return isStable(net.sf.jsqlparser.parser.CCJSqlParserUtil.parseExpression(expression, false));
    } catch (net.sf.jsqlparser.JSQLParserException e) {
      return false;
    }
  }
}
