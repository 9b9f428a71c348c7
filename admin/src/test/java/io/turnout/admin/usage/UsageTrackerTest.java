package io.turnout.admin.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class UsageTrackerTest {

  @Test
  void record_sameKeyTwice_countsTwiceUnderOneKey() {
    UsageTracker t = new UsageTracker();
    t.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
    t.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
    t.record("split-name", NameUse.NEW, "billing", "app", "10.0.0.1");

    assertThat(t.statements("split-name", NameUse.OLD, "billing", "app", "10.0.0.1")).isEqualTo(2);
    assertThat(t.statements("split-name", NameUse.NEW, "billing", "app", "10.0.0.1")).isEqualTo(1);
    assertThat(t.distinctKeys()).isEqualTo(2);
  }

  @Test
  void record_nullNames_recordedAsEmptyStrings() {
    UsageTracker t = new UsageTracker();
    t.record("m", NameUse.OLD, null, null, null);

    assertThat(t.statements("m", NameUse.OLD, "", "", "")).isEqualTo(1);
    assertThat(t.statements("m", NameUse.OLD, null, null, null)).isEqualTo(1);
  }

  @Test
  void record_pastBound_countsIntoOverflowOfThatMigrationAndUse() {
    UsageTracker t = new UsageTracker(2);
    t.record("m", NameUse.OLD, "a", "r", "1");
    t.record("m", NameUse.OLD, "b", "r", "1");
    t.record("m", NameUse.OLD, "c", "r", "1");
    t.record("m", NameUse.OLD, "d", "r", "1");
    t.record("m", NameUse.NEW, "e", "r", "1");
    t.record("m", NameUse.OLD, "a", "r", "1"); // already known: still counted under its key

    assertThat(t.distinctKeys()).isEqualTo(2);
    assertThat(t.overflow("m", NameUse.OLD)).isEqualTo(2);
    assertThat(t.overflow("m", NameUse.NEW)).isEqualTo(1);
    assertThat(t.statements("m", NameUse.OLD, "a", "r", "1")).isEqualTo(2);
    assertThat(t.statements("m", NameUse.OLD, "c", "r", "1")).isZero();
  }

  @Test
  void overflow_unknownMigration_isZero() {
    assertThat(new UsageTracker().overflow("nope", NameUse.OLD)).isZero();
  }

  @Test
  void constructor_boundBelowOne_isRefusedWithTheValue() {
    assertThatThrownBy(() -> new UsageTracker(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max keys must be at least 1 but was 0");
  }

  @Test
  void record_manyThreadsSameKeys_countsEveryStatement() throws Exception {
    UsageTracker t = new UsageTracker();
    int threads = 8;
    int perThread = 50_000;
    runConcurrently(
        threads,
        i -> {
          for (int n = 0; n < perThread; n++) {
            t.record("m", n % 2 == 0 ? NameUse.OLD : NameUse.NEW, "app" + (n % 5), "r", "h");
          }
        });

    long total = 0;
    for (NameUse use : NameUse.values()) {
      for (int a = 0; a < 5; a++) {
        total += t.statements("m", use, "app" + a, "r", "h");
      }
    }
    assertThat(total).isEqualTo((long) threads * perThread);
    assertThat(t.distinctKeys()).isEqualTo(10);
  }

  @Test
  void record_manyThreadsNewKeys_neverExceedsBoundAndLosesNoStatement() throws Exception {
    UsageTracker t = new UsageTracker(100);
    int threads = 8;
    int perThread = 2_000;
    runConcurrently(
        threads,
        i -> {
          for (int n = 0; n < perThread; n++) {
            t.record("m", NameUse.OLD, "app-" + i + "-" + n, "r", "h");
          }
        });

    assertThat(t.distinctKeys()).isEqualTo(100);
    long tracked = 0;
    for (int i = 0; i < threads; i++) {
      for (int n = 0; n < perThread; n++) {
        tracked += t.statements("m", NameUse.OLD, "app-" + i + "-" + n, "r", "h");
      }
    }
    assertThat(tracked + t.overflow("m", NameUse.OLD)).isEqualTo((long) threads * perThread);
  }

  private interface Worker {
    void run(int index);
  }

  private static void runConcurrently(int threads, Worker worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  worker.run(index);
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
