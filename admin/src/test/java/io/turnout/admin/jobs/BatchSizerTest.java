package io.turnout.admin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSizerTest {
  private static final Duration TARGET = Duration.ofMillis(50);

  @Test
  void aFastBatch_growsTowardTheTarget_atMostDoubling() {
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(25), TARGET)).isEqualTo(2000);
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(1), TARGET)).isEqualTo(2000);
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(40), TARGET)).isEqualTo(1250);
  }

  @Test
  void aSlowBatch_shrinksTowardTheTarget_atMostHalving() {
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(100), TARGET)).isEqualTo(500);
    assertThat(BatchSizer.next(1000, 1000, Duration.ofSeconds(10), TARGET)).isEqualTo(500);
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(62), TARGET)).isEqualTo(806);
  }

  @Test
  void staysWithinItsBounds() {
    assertThat(BatchSizer.next(12, 12, Duration.ofSeconds(1), TARGET)).isEqualTo(BatchSizer.MIN);
    assertThat(BatchSizer.next(BatchSizer.MAX, BatchSizer.MAX, Duration.ofMillis(1), TARGET))
        .isEqualTo(BatchSizer.MAX);
  }

  @Test
  void aZeroTarget_orAShortLastBatch_keepsTheSize() {
    assertThat(BatchSizer.next(1000, 1000, Duration.ofMillis(1), Duration.ZERO)).isEqualTo(1000);
    assertThat(BatchSizer.next(1000, 10, Duration.ofMillis(1), TARGET)).isEqualTo(1000);
  }
}
