package io.turnout.config.load;

import static io.turnout.config.load.Plans.BACKENDS;
import static io.turnout.config.load.Plans.load;
import static io.turnout.config.load.Plans.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.VerifyPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each migration's {@code verify: { interval: … }}: the periodic verify while reads are new. */
class VerifyConfigTest {
  private static final String RENAME =
      "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b";

  private static Migration only(String yaml) throws ConfigException {
    return load(yaml).migrations().get(0);
  }

  @Test
  void verify_absentOrEmpty_runsHourly() throws Exception {
    assertThat(only(BACKENDS + RENAME + " }\n").verify()).isEqualTo(VerifyPolicy.DEFAULT);
    assertThat(only(BACKENDS + RENAME + ", verify: {} }\n").verify())
        .isEqualTo(VerifyPolicy.DEFAULT);
    assertThat(VerifyPolicy.DEFAULT.interval()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void verify_interval_isADuration_andZeroTurnsItOff() throws Exception {
    assertThat(only(BACKENDS + RENAME + ", verify: { interval: 15min } }\n").verify().interval())
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(only(BACKENDS + RENAME + ", verify: { interval: 0 } }\n").verify().periodic())
        .isFalse();
  }

  /** The default backend is filled in after reading; that copy must keep the verify policy. */
  @Test
  void verify_migrationOnTheDefaultBackend_keepsItsInterval() throws Exception {
    TurnoutConfig c =
        load(
            "backends:\n  main: postgresql://app@db/app\n"
                + RENAME
                + ", verify: { interval: 2h } }\n");
    assertThat(c.migrations().get(0).verify().interval()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void verify_invalid_reportsWhereAndWhy() {
    assertThat(problems(BACKENDS + RENAME + ", verify: { interval: -1h } }\n"))
        .containsExactly(
            "turnout.yaml:4:81: migrations[0].verify.interval: '-1h' must not be negative");
    assertThat(problems(BACKENDS + RENAME + ", verify: { intervall: 1h } }\n"))
        .containsExactly(
            "turnout.yaml:4:71: migrations[0].verify.intervall: unknown key 'intervall' (did you"
                + " mean 'interval'?)");
    assertThat(problems(BACKENDS + RENAME + ", verify: hourly }\n"))
        .containsExactly(
            "turnout.yaml:4:69: migrations[0].verify: expected a mapping like { interval: 1h },"
                + " found 'hourly'");
  }
}
