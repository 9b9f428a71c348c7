package io.turnout.admin.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobOptionsTest {

  @Test
  void defaults_areTheDocumentedOnes() {
    assertThat(JobOptions.DEFAULT.batchSize()).isEqualTo(1000);
    assertThat(JobOptions.DEFAULT.lockTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void batchSize_zero_isRefusedWithTheValue() {
    assertThatThrownBy(() -> JobOptions.DEFAULT.withBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch size must be at least 1 but was 0");
  }

  @Test
  void lockTimeout_zero_isRefusedBecausePostgresWouldWaitForever() {
    assertThatThrownBy(() -> JobOptions.DEFAULT.withLockTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lock timeout must be positive but was PT0S");
  }

  @Test
  void withers_changeOnlyTheirField() {
    JobOptions o = JobOptions.DEFAULT.withBatchSize(5).withRetries(3, Duration.ofMillis(7));
    assertThat(o).isEqualTo(new JobOptions(5, Duration.ofSeconds(2), 3, Duration.ofMillis(7)));
  }
}
