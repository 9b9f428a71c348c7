package io.turnout.config.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TableNameTest {
  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
          users => public => users
          Users => public => users
          public.users => public => users
          Shop.Orders => shop => orders
          "App"."Users" => App => Users
          "my schema"."a""b" => my schema => a"b
          _t$1 => public => _t$1
          """)
  void parse_foldsLikePostgreSql(String text, String schema, String name) {
    assertThat(TableName.parse(text)).isEqualTo(new TableName(schema, name));
  }

  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
          a.b.c => 'a.b.c' has too many parts (expected table or schema.table)
          1users => '1users' is not a valid name (letters, digits, '_' and '$', not starting with a digit; double-quote other names)
          my table => 'my table' is not a valid name (letters, digits, '_' and '$', not starting with a digit; double-quote other names)
          public. => 'public.' ends with '.'
          "open => unterminated quoted name in '"open'
          "" => empty quoted name in '""'
          """)
  void parse_invalid_explains(String text, String message) {
    assertThatThrownBy(() -> TableName.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "sql_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
          public.users => public.users
          "App"."Users" => "App"."Users"
          public.user => public."user"
          public."a""b" => public."a""b"
          """)
  void sql_quotesOnlyWhereNeeded(String text, String sql) {
    assertThat(TableName.parse(text).sql()).isEqualTo(sql);
    assertThat(TableName.parse(TableName.parse(text).sql())).isEqualTo(TableName.parse(text));
  }

  @org.junit.jupiter.api.Test
  void fold_nameLongerThan63Bytes_isRefusedRatherThanTruncated() {
    String longName = "a".repeat(64);

    assertThatThrownBy(() -> Identifiers.fold(longName))
        .hasMessage("name '" + longName + "' is longer than 63 bytes");
    assertThat(Identifiers.fold("a".repeat(63))).hasSize(63);
  }
}
