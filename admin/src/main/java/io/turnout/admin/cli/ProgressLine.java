package io.turnout.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * One line of a job's progress, as the API reports it: a bar, rows done of the estimate, the rate
 * and the ETA for a backfill or verify; the step of a DDL plan; else what the job says it does.
 *
 * <pre>
 * backfill rename-email [#########...........]  45.2%  452,000/1,000,000 rows  8,120 rows/s  ETA 1m 7s
 * backfill rename-email [#########...........]  45.2%  452,000/1,000,000 rows  8,120 rows/s  waiting: paused by an operator
 * </pre>
 */
final class ProgressLine {
  static final int BAR = 20;

  private ProgressLine() {}

  static String of(JsonNode job) {
    String head = job.path("kind").asText() + " " + job.path("migration").asText();
    JsonNode rows = job.path("rows");
    if (rows.isObject()) {
      double f = rows.path("fraction").asDouble();
      String eta =
          rows.has("eta_seconds") ? "  ETA " + duration(rows.path("eta_seconds").asLong()) : "";
      if (rows.has("waiting_for")) {
        eta = "  waiting: " + rows.path("waiting_for").asText();
      }
      return String.format(
          Locale.ROOT,
          "%s %s %5.1f%%  %,d/%,d rows  %,.0f rows/s%s",
          head,
          bar(f),
          f * 100,
          rows.path("done").asLong(),
          rows.path("estimated_total").asLong(),
          rows.path("per_second").asDouble(),
          eta);
    }
    JsonNode ddl = job.path("ddl");
    if (ddl.isObject() && ddl.path("steps_total").asInt() > 0) {
      int done = ddl.path("steps_done").asInt();
      int total = ddl.path("steps_total").asInt();
      return String.format(
          Locale.ROOT,
          "%s %s step %d/%d%s",
          head,
          bar((double) done / total),
          Math.min(done + 1, total),
          total,
          job.has("message") ? "  " + job.path("message").asText() : "");
    }
    return head + "  " + job.path("message").asText(job.path("status").asText());
  }

  static String bar(double fraction) {
    int full = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
    return "[" + "#".repeat(full) + ".".repeat(BAR - full) + "]";
  }

  /** {@code 1h 2m}, {@code 3m 4s}, {@code 5s}. */
  static String duration(long seconds) {
    long s = Math.max(0, seconds);
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m " + s % 60 + "s";
    }
    return s + "s";
  }
}
