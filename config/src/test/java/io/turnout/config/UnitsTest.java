package io.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {
  @ParameterizedTest(name = "parseDuration_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0       | 0
          250ms   | 250
          30s     | 30000
          5min    | 300000
          2h      | 7200000
          1d      | 86400000
          '5 s'   | 5000
          0ms     | 0
          """)
  void parseDuration_numberAndUnit_givesDuration(String text, long millis) {
    assertThat(Units.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "parseDuration_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          30     | '30' needs a unit (ms, s, min, h or d), e.g. 30s
          5m     | '5m': unknown unit 'm' (expected ms, s, min, h or d; minutes are 'min')
          5S     | '5S': unknown unit 'S' (expected ms, s, min, h or d; units are case-sensitive, did you mean 's'?)
          1.5s   | '1.5s' must be a whole number; use a smaller unit instead of a fraction
          -1s    | '-1s' must not be negative
          soon   | 'soon' is not a duration like 250ms, 30s or 5min
          """)
  void parseDuration_invalid_explains(String text, String message) {
    assertThatThrownBy(() -> Units.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "parseSize_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          8192  | 8192
          512B  | 512
          64kB  | 65536
          64MB  | 67108864
          1GB   | 1073741824
          2TB   | 2199023255552
          '16 MB' | 16777216
          """)
  void parseSize_numberAndUnit_givesBytes(String text, long bytes) {
    assertThat(Units.parseSize(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "parseSize_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          64KB  | '64KB': unknown unit 'KB' (expected B, kB, MB, GB or TB; units are case-sensitive, did you mean 'kB'?)
          64M   | '64M': unknown unit 'M' (expected B, kB, MB, GB or TB)
          -1MB  | '-1MB' must not be negative
          big   | 'big' is not a size like 8192, 64kB or 64MB
          99999999999TB | '99999999999TB' is too large
          """)
  void parseSize_invalid_explains(String text, String message) {
    assertThatThrownBy(() -> Units.parseSize(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "format_{0}")
  @CsvSource({"0, 0", "250, 250ms", "30000, 30s", "300000, 5min", "7200000, 2h", "90000, 90s"})
  void format_duration_shortestExactForm(long millis, String text) {
    assertThat(Units.format(Duration.ofMillis(millis))).isEqualTo(text);
    assertThat(Units.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "formatSize_{0}")
  @CsvSource({"0, 0", "1000, 1000", "65536, 64kB", "67108864, 64MB", "1610612736, 1536MB"})
  void formatSize_shortestExactForm(long bytes, String text) {
    assertThat(Units.formatSize(bytes)).isEqualTo(text);
    assertThat(Units.parseSize(text)).isEqualTo(bytes);
  }
}
