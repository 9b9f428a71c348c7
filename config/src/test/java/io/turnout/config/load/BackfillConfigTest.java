package io.turnout.config.load;

import static io.turnout.config.load.Plans.BACKENDS;
import static io.turnout.config.load.Plans.load;
import static io.turnout.config.load.Plans.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.BackfillPolicy;
import io.turnout.config.plan.Migration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each migration's {@code backfill:}: the limits its backfill starts with. */
class BackfillConfigTest {
  private static final String RENAME =
      "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b";

  private static Migration only(String yaml) throws ConfigException {
    return load(yaml).migrations().get(0);
  }

  @Test
  void backfill_absent_takesTheDefaults() throws Exception {
    assertThat(only(BACKENDS + RENAME + " }\n").backfill()).isEqualTo(BackfillPolicy.DEFAULT);
    assertThat(BackfillPolicy.DEFAULT.batchTime()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void backfill_everyLimit_isRead() throws Exception {
    BackfillPolicy b =
        only(BACKENDS
                + RENAME
                + ", backfill: { batch_time: 100ms, max_rows_per_second: 5000,"
                + " max_active_connections: 40, replicas: [standby-a, standby-b],"
                + " max_replica_lag: 5s, max_replica_lag_bytes: 16MB } }\n")
            .backfill();
    assertThat(b)
        .isEqualTo(
            new BackfillPolicy(
                Duration.ofMillis(100),
                5000,
                40,
                List.of("standby-a", "standby-b"),
                Duration.ofSeconds(5),
                16L << 20));
  }

  @Test
  void backfill_invalid_reportsEachProblemWithItsLine() {
    assertThat(
            problems(
                BACKENDS
                    + RENAME
                    + ", backfill: { max_rows_per_second: -5, replicas: standby,"
                    + " max_replica_lag: 0s, max_replica_lag_bytes: lots, batch_tme: 1s } }\n"))
        .hasSize(5)
        .allSatisfy(p -> assertThat(p).startsWith("turnout.yaml:4:"))
        .anySatisfy(
            p -> assertThat(p).contains("backfill.max_rows_per_second: '-5' must not be negative"))
        .anySatisfy(
            p -> assertThat(p).contains("backfill.replicas: expected a list of standby names"))
        .anySatisfy(p -> assertThat(p).contains("backfill.max_replica_lag: must be more than 0"))
        .anySatisfy(p -> assertThat(p).contains("backfill.max_replica_lag_bytes:"))
        .anySatisfy(
            p -> assertThat(p).contains("unknown key 'batch_tme' (did you mean 'batch_time'?)"));
  }
}
