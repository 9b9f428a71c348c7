package io.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {
  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          127.0.0.1:6432    | 127.0.0.1   | 6432
          localhost:5432    | localhost   | 5432
          0.0.0.0:0         | 0.0.0.0     | 0
          [::1]:6432        | ::1         | 6432
          [fe80::1%eth0]:80 | fe80::1%eth0| 80
          ' db.internal:65535 ' | db.internal | 65535
          """)
  void parse_validHostPort_givesHostAndPort(String text, String host, int port) {
    HostPort hp = HostPort.parse(text);

    assertThat(hp).isEqualTo(new HostPort(host, port));
  }

  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          nowhere          | 'nowhere': expected HOST:PORT, e.g. 127.0.0.1:6432
          :6432            | ':6432': host is missing (use 0.0.0.0:6432 for every interface)
          ::1:6432         | '::1:6432': put an IPv6 address in brackets, e.g. [::1]:6432
          [::1:6432        | '[::1:6432': missing ']' after the IPv6 address
          [::1]6432        | '[::1]6432': expected HOST:PORT, e.g. [::1]:6432
          host:            | 'host:': port '' is not a number
          host:-1          | 'host:-1': port '-1' is not a number
          host:65536       | 'host:65536': port 65536 is out of range (0..65535)
          host:99999999999 | 'host:99999999999': port 99999999999 is out of range (0..65535)
          """)
  void parse_invalidHostPort_explains(String text, String message) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "toString_{0}")
  @CsvSource({"127.0.0.1:6432", "[::1]:6432", "localhost:0"})
  void toString_roundTripsThroughParse(String text) {
    assertThat(HostPort.parse(text)).hasToString(text);
    assertThat(HostPort.parse(HostPort.parse(text).toString())).isEqualTo(HostPort.parse(text));
  }

  @ParameterizedTest(name = "isLoopback_{0}")
  @CsvSource({
    "127.0.0.1:1, true",
    "127.1.2.3:1, true",
    "localhost:1, true",
    "[::1]:1, true",
    "0.0.0.0:1, false",
    "10.0.0.1:1, false",
    "[::]:1, false"
  })
  void isLoopback_onlyForThisHost(String text, boolean loopback) {
    assertThat(HostPort.parse(text).isLoopback()).isEqualTo(loopback);
  }
}
