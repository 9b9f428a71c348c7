package io.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackendUrlTest {
  @Test
  void parse_everyPart_isRead() {
    BackendUrl u =
        BackendUrl.parse(
            "postgresql://app:secret@db.example.com:6543/appdb?sslmode=require&application_name=turnout");

    assertThat(u)
        .isEqualTo(
            new BackendUrl(
                "db.example.com",
                6543,
                Optional.of("app"),
                Optional.of("secret"),
                Optional.of("appdb"),
                Map.of("sslmode", "require", "application_name", "turnout")));
    assertThat(u.params().keySet()).containsExactly("sslmode", "application_name");
  }

  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          postgres://app@db/app                 | db        | 5432 | app   | -      | app
          POSTGRESQL://app@db/app               | db        | 5432 | app   | -      | app
          postgresql://db                       | db        | 5432 | -     | -      | -
          postgresql://db/                      | db        | 5432 | -     | -      | -
          postgresql://app@[::1]:5433/app       | ::1       | 5433 | app   | -      | app
          postgresql://[2001:db8::1]/app        | 2001:db8::1 | 5432 | -   | -      | app
          postgresql://us%40er:p%40ss%2Fw@db/my%20db | db   | 5432 | us@er | p@ss/w | my db
          postgresql://app:p@ss/w@db/app        | db        | 5432 | app   | p@ss/w | app
          postgresql://app:@db/app              | db        | 5432 | app   | ''     | app
          postgresql://db/app?user=app&password=pw | db     | 5432 | app   | pw     | app
          postgresql://db?dbname=app            | db        | 5432 | -     | -      | app
          postgresql://app@db/caf%C3%A9         | db        | 5432 | app   | -      | café
          """)
  void parse_edgeCases_readHostPortUserPasswordDatabase(
      String url, String host, int port, String user, String password, String database) {
    BackendUrl u = BackendUrl.parse(url);

    assertThat(u.host()).isEqualTo(host);
    assertThat(u.port()).isEqualTo(port);
    assertThat(u.user()).isEqualTo(Optional.ofNullable(user));
    assertThat(u.password()).isEqualTo(Optional.ofNullable(password));
    assertThat(u.database()).isEqualTo(Optional.ofNullable(database));
  }

  @ParameterizedTest(name = "parse_{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          mysql://app@db/app                 | 'mysql://app@db/app' is not a PostgreSQL URL (expected postgresql://user@host:port/database)
          jdbc:postgresql://db/app           | 'jdbc:postgresql://db/app': write a libpq URL without 'jdbc:', e.g. postgresql://app@db:5432/app
          postgresql://app@db:0/app          | 'postgresql://app@db:0/app': port 0 is out of range (1..65535)
          postgresql://app@db:x/app          | 'postgresql://app@db:x/app': port 'x' is not a number
          postgresql://app@/app              | 'postgresql://app@/app': host is missing (Unix-domain sockets are not supported)
          postgresql://h1:5432,h2:5432/app   | 'postgresql://h1:5432,h2:5432/app': several hosts are not supported; name one backend per host
          postgresql://db/app?sslmode        | 'postgresql://db/app?sslmode': parameter 'sslmode' needs a value (name=value)
          postgresql://db/app?host=other     | 'postgresql://db/app?host=other': give the host before the path, not as a parameter
          postgresql://us%4@db/app           | 'postgresql://us%4@db/app': bad percent-escape in the user (expected %XX)
          postgresql://app@db/app?user=other | 'postgresql://app@db/app?user=other': user is given twice
          postgresql://[::1/app              | 'postgresql://[::1/app': missing ']' after the IPv6 address
          """)
  void parse_invalid_explains(String url, String message) {
    assertThatThrownBy(() -> BackendUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "parseError_{0}")
  @CsvSource({
    "postgresql://app:hunter2@db:x/app",
    "postgresql://db:x/app?password=hunter2",
    "postgresql://app:hunter2@db/app?sslmode",
  })
  void parse_invalid_neverQuotesPassword(String url) {
    assertThatThrownBy(() -> BackendUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("hunter2")
        .contains("***");
  }

  @Test
  void toString_hidesPassword() {
    BackendUrl u = BackendUrl.parse("postgresql://app:hunter2@db:6543/app?sslmode=require");

    assertThat(u).hasToString("postgresql://app:***@db:6543/app?sslmode=require");
  }

  @Test
  void toString_withoutCredentials_isPlain() {
    assertThat(BackendUrl.parse("postgres://[::1]/app")).hasToString("postgresql://[::1]:5432/app");
  }

  @Test
  void toString_reencodesSpecialCharacters() {
    BackendUrl u = BackendUrl.parse("postgresql://us%40er@db/my%20db");

    assertThat(u).hasToString("postgresql://us%40er@db:5432/my%20db");
    assertThat(BackendUrl.parse(u.toString())).isEqualTo(u);
  }

  @Test
  void toJdbcUrl_hasUserAndParamsButNoPassword() {
    BackendUrl u = BackendUrl.parse("postgresql://app:hunter2@db:6543/appdb?sslmode=require");

    assertThat(u.toJdbcUrl()).isEqualTo("jdbc:postgresql://db:6543/appdb?user=app&sslmode=require");
  }

  @Test
  void toJdbcUrl_ipv6HostInBrackets() {
    assertThat(BackendUrl.parse("postgresql://[::1]/app").toJdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432/app");
  }

  @Test
  void jdbcProperties_carryUserAndPassword() {
    BackendUrl u = BackendUrl.parse("postgresql://app:hunter2@db/app");

    assertThat(u.jdbcProperties())
        .containsEntry("user", "app")
        .containsEntry("password", "hunter2");
  }

  @Test
  void withPassword_replacesOnlyThePassword() {
    BackendUrl u = BackendUrl.parse("postgresql://app@db/app");

    assertThat(u.withPassword(Optional.of("pw")).password()).contains("pw");
    assertThat(u.withPassword(Optional.of("pw")).withPassword(Optional.empty())).isEqualTo(u);
  }
}
