package io.turnout.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void rows_barPercentRateAndEta() throws Exception {
    String line =
        ProgressLine.of(
            json.readTree(
                "{\"kind\":\"backfill\",\"migration\":\"m\",\"status\":\"running\",\"rows\":"
                    + "{\"done\":452000,\"estimated_total\":1000000,\"fraction\":0.452,"
                    + "\"per_second\":8120.4,\"eta_seconds\":67}}"));
    assertThat(line)
        .isEqualTo(
            "backfill m [#########...........]  45.2%  452,000/1,000,000 rows  8,120 rows/s  ETA"
                + " 1m 7s");
  }

  @Test
  void ddl_stepOfPlanAndWhatItWaitsFor() throws Exception {
    String line =
        ProgressLine.of(
            json.readTree(
                "{\"kind\":\"expand\",\"migration\":\"m\",\"status\":\"running\",\"message\":"
                    + "\"add column x: lock not available\",\"ddl\":{\"steps_done\":1,"
                    + "\"steps_total\":4}}"));
    assertThat(line)
        .isEqualTo("expand m [#####...............] step 2/4  add column x: lock not available");
  }

  @Test
  void queued_saysSo() throws Exception {
    assertThat(
            ProgressLine.of(
                json.readTree("{\"kind\":\"verify\",\"migration\":\"m\",\"status\":\"queued\"}")))
        .isEqualTo("verify m  queued");
  }

  @Test
  void duration_unitsAnOperatorReads() {
    assertThat(ProgressLine.duration(5)).isEqualTo("5s");
    assertThat(ProgressLine.duration(125)).isEqualTo("2m 5s");
    assertThat(ProgressLine.duration(7322)).isEqualTo("2h 2m");
  }
}
