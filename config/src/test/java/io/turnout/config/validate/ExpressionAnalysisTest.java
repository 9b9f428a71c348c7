package io.turnout.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.TableName;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpressionAnalysisTest {
  private static final TableName USERS = new TableName("public", "users");

  @ParameterizedTest(name = "of_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      textBlock =
          """
          split_part(name, ' ', 1) => name
          nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '') => name
          concat_ws(' ', first_name, last_name) => first_name,last_name
          (price * 100)::bigint => price
          CAST(price AS numeric(10,2)) => price
          "upper(""Name"")" => Name
          users.name => name
          public.users.name => name
          case when a > 0 then b else c end => a,b,c
          coalesce(data->>'k', '') => data
          extract(year from born) => born
          'constant' => ""
          substring(name from 2 for 3) => name
          overlay(name placing 'x' from 1) => name
          trim(both ' ' from name) => name
          position('a' in name) => name
          """)
  void of_pureExpression_listsColumnsItReads(String expression, String columns) {
    ExpressionAnalysis a = ExpressionAnalysis.of(expression, USERS);

    assertThat(a.acceptable()).as(a.toString()).isTrue();
    assertThat(a.columns())
        .containsExactlyElementsOf(columns.isEmpty() ? List.of() : List.of(columns.split(",")));
  }

  @ParameterizedTest(name = "of_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      textBlock =
          """
          random() => calls random(), which is volatile or time-dependent, so backfill and dual-write would store different values
          pg_catalog.now() => calls now(), which is volatile or time-dependent, so backfill and dual-write would store different values
          current_timestamp => uses current_timestamp, which changes with time, so backfill and dual-write would store different values
          current_user => uses current_user, which depends on the session
          nextval('s') => calls nextval(), which is volatile or time-dependent, so backfill and dual-write would store different values
          (select max(x) from t) => contains a subquery; an expression sees only the row of public.users
          exists(select 1 from t) => contains a subquery; an expression sees only the row of public.users
          name in (select n from t) => contains a subquery; an expression sees only the row of public.users
          count(*) over () => uses a window or aggregate function; an expression sees one row
          sum(price) => calls the aggregate sum(); an expression sees one row
          $1 || name => uses '$' (a parameter or a dollar-quoted string); write constants as '…' strings
          $$x$$ || name => uses '$' (a parameter or a dollar-quoted string); write constants as '…' strings
          U&'\\0041' || name => uses a U&'…' Unicode-escaped literal; write the characters directly
          orders.total => refers to 'orders.total'; an expression sees only the row of public.users
          default => uses DEFAULT, which is not a value
          name ` x => uses '`', which PostgreSQL does not accept; double-quote names instead
          """)
  void of_constructNotAllowedPerRow_isRefused(String expression, String refusal) {
    ExpressionAnalysis a = ExpressionAnalysis.of(expression, USERS);

    assertThat(a.acceptable()).isFalse();
    assertThat(a.refusals()).contains(refusal);
  }

  @ParameterizedTest(name = "of_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      textBlock =
          """
          name || => does not parse: the expression ends too early
          a b => does not parse: unexpected text after 'a'
          1 +* 2 => does not parse: unexpected text after '1 + *'
          price_cents / / 100 => does not parse: unexpected '/' at character 15
          "  " => expression is empty
          """)
  void of_syntaxError_isReportedBriefly(String expression, String error) {
    ExpressionAnalysis a = ExpressionAnalysis.of(expression, USERS);

    assertThat(a.syntaxError()).contains(error);
    assertThat(a.acceptable()).isFalse();
  }

  @ParameterizedTest(name = "of_{0}")
  @ValueSource(strings = {"'it''s $1'", "E'a\\'$b' || name", "a$b", "name -- $1", "\"$x\" || name"})
  void of_dollarInsideStringOrIdentifierOrComment_isFine(String expression) {
    assertThat(ExpressionAnalysis.of(expression, USERS).refusals()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void referencedAmong_knownNameAsWord_isCountedEvenIfTheTreeMissesIt() {
    ExpressionAnalysis a = ExpressionAnalysis.of("extract(year from born)::text", USERS);

    assertThat(a.columns()).containsExactly("born");
    assertThat(a.referencedAmong(List.of("born", "year", "text", "extract")))
        .containsExactly("born", "year");
  }

  @org.junit.jupiter.api.Test
  void problems_columnOfTheOtherSide_isNamed() {
    ExpressionAnalysis a = ExpressionAnalysis.of("substring(last_name from 1)", USERS);

    assertThat(a.problems(List.of("name"), "old", List.of("first_name", "last_name")))
        .containsExactly(
            "uses column 'last_name', which is not an old column (a forward expression may read"
                + " only the old columns: name)");
  }
}
