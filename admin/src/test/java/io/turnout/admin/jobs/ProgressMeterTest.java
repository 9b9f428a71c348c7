package io.turnout.admin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressMeterTest {

  @Test
  void snapshot_beforeStart_isPendingWithoutRateOrEta() {
    JobProgress p = new ProgressMeter().snapshot();
    assertThat(p.state()).isEqualTo(JobState.PENDING);
    assertThat(p.rowsPerSecond()).isZero();
    assertThat(p.eta()).isEmpty();
  }

  @Test
  void snapshot_resumed_countsEarlierRowsAsDoneButNotInTheRate() {
    ProgressMeter m = new ProgressMeter();
    m.start(500, 1000);
    m.batch(100, 40);

    JobProgress p = m.snapshot();
    assertThat(p.state()).isEqualTo(JobState.RUNNING);
    assertThat(p.rowsDone()).isEqualTo(600);
    assertThat(p.rowsChanged()).isEqualTo(40);
    assertThat(p.batches()).isEqualTo(1);
    assertThat(p.fraction()).isEqualTo(0.6);
  }

  @Test
  void snapshot_done_isWholeEvenWhenTheEstimateWasLow() {
    ProgressMeter m = new ProgressMeter();
    m.start(0, 10);
    m.batch(25, 25);
    m.finish(JobState.DONE);

    JobProgress p = m.snapshot();
    assertThat(p.fraction()).isEqualTo(1.0);
    assertThat(p.eta()).isEmpty();
  }

  @Test
  void fail_keepsTheReason() {
    ProgressMeter m = new ProgressMeter();
    m.fail("table public.users has no primary key");
    assertThat(m.snapshot().state()).isEqualTo(JobState.FAILED);
    assertThat(m.snapshot().failure()).contains("table public.users has no primary key");
  }
}
