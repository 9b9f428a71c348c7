package io.turnout.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {
  private static final List<String> KEYS =
      List.of("listen", "admin", "backends", "max_mismatch_rate", "sample", "from", "to");

  @ParameterizedTest(name = "closest_{0}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          lisen, listen
          Listen, listen
          backend, backends
          adimn, admin
          max_mismatch, max_mismatch_rate
          frm, from
          sampel, sample
          zzz, -
          tls, -
          t, to
          """)
  void closest_nearMiss_isSuggested_farMiss_isNot(String input, String expected) {
    assertThat(Suggestions.closest(input, KEYS).orElse(null)).isEqualTo(expected);
  }
}
