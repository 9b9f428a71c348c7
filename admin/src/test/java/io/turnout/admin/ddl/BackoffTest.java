package io.turnout.admin.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 50);

  @Test
  void ceiling_doublesFromBaseUntilTheCap() {
    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofMillis(6400));
    assertThat(backoff.ceiling(8)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.ceiling(49)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void delay_fullJitter_staysWithinZeroAndTheCeiling() {
    Random random = new Random(42);
    for (int retry = 1; retry < 60; retry++) {
      for (int i = 0; i < 100; i++) {
        Duration d = backoff.delay(retry, random::nextDouble);
        assertThat(d).isBetween(Duration.ZERO, backoff.ceiling(retry));
      }
    }
    assertThat(backoff.delay(3, () -> 0.0)).isEqualTo(Duration.ZERO);
    assertThat(backoff.delay(3, () -> 0.5)).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void constructor_capBelowBase_isRefusedNamingBoth() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 3))
        .hasMessage("backoff cap (PT1S) must not be below its base (PT2S)");
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 3))
        .hasMessageContaining("base must be positive");
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), Duration.ofSeconds(1), 0))
        .hasMessageContaining("at least 1");
  }

  @Test
  void defaults_are100msBase10sCap50Attempts() {
    assertThat(Backoff.DEFAULT).isEqualTo(backoff);
    assertThat(DdlSettings.DEFAULT.lockTimeout()).isEqualTo(Duration.ofSeconds(2));
  }
}
