package io.turnout.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvSubstitutionTest {
  private static final Map<String, String> ENV = Map.of("HOST", "db", "PORT", "5433", "EMPTY", "");

  @ParameterizedTest(name = "apply_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      textBlock =
          """
          plain => plain
          ${HOST} => db
          ${HOST}:${PORT} => db:5433
          postgresql://app@${HOST}/app => postgresql://app@db/app
          ${MISSING:-fallback} => fallback
          ${EMPTY:-fallback} => fallback
          ${HOST:-fallback} => db
          ${MISSING:-} => ""
          ${EMPTY} => ""
          $${HOST} => ${HOST}
          cost $5 => cost $5
          $ => $
          """)
  void apply_references_areReplacedLikeAShell(String value, String expected) {
    assertThat(EnvSubstitution.apply(value, ENV)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "apply_{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      textBlock =
          """
          ${MISSING} => environment variable MISSING is not set (write ${MISSING:-default} to give a default)
          a${HOST => unterminated '${' (write ${NAME} or ${NAME:-default}; $${ for a literal ${)
          ${1X} => '${1X}' is not a variable reference (write ${NAME} or ${NAME:-default})
          ${} => '${}' is not a variable reference (write ${NAME} or ${NAME:-default})
          """)
  void apply_badReference_explains(String value, String message) {
    assertThatThrownBy(() -> EnvSubstitution.apply(value, ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
