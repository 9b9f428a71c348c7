package io.turnout.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.turnout.config.Units;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The lifecycle's long operations over the admin API: {@code expand}, {@code backfill}, {@code
 * verify}, {@code contract}, and {@code job} to follow or cancel one. Each starts a job on the
 * instance the CLI talks to and follows it with a progress line on stderr until it ends (exit 0
 * succeeded; 1 refused, failed, cancelled, or a verify that found drift); {@code --detach} prints
 * the job and returns at once. Interrupting the CLI leaves the job running.
 */
final class JobCommands {
  private JobCommands() {}

  static final Class<?>[] ALL = {
    Expand.class, Backfill.class, Verify.class, Contract.class, JobCommand.class
  };

  /** How often a followed job is polled. */
  static final Duration POLL = Duration.ofMillis(250);

  abstract static class Starter extends MigrationCommands.Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Option(names = "--detach", description = "Start the job and print it; do not follow it.")
    boolean detach;

    Integer start(String kind, ObjectNode extra) {
      AdminClient c = options.client();
      ObjectNode body = c.json().createObjectNode();
      body.put("kind", kind);
      body.setAll(extra);
      JsonNode job = c.post("/api/v1/migrations/" + id + "/jobs", body);
      if (detach) {
        return print(
            job,
            "started "
                + job.path("id").asText()
                + " ("
                + kind
                + " of "
                + id
                + "); follow it with: turnout job "
                + job.path("id").asText());
      }
      return JobCommands.follow(this, c, job);
    }

    Integer dryRun(String kind) {
      AdminClient c = options.client();
      ObjectNode body = c.json().createObjectNode();
      body.put("kind", kind);
      body.put("dry_run", true);
      JsonNode r = c.post("/api/v1/migrations/" + id + "/jobs", body);
      return print(r, r.path("ddl").asText().stripTrailing());
    }
  }

  /** A job that walks the table in batches (backfill) or chunks (verify) of a chosen size. */
  abstract static class BatchedStarter extends Starter {
    @Option(names = "--batch-size", paramLabel = "ROWS", description = "Rows per batch or chunk.")
    Integer batchSize;

    Integer startBatched(String kind) {
      return startBatched(kind, options.client().json().createObjectNode());
    }

    Integer startBatched(String kind, ObjectNode extra) {
      if (batchSize != null) {
        extra.put("batch_size", batchSize);
      }
      return start(kind, extra);
    }
  }

  /**
   * A backfill's limits as options: given at its start, or changed while it runs ({@code turnout
   * job JOB --max-rows-per-second 5000}). Only the options given are sent; the others keep their
   * value.
   */
  static final class LimitOptions {
    @Option(
        names = "--max-rows-per-second",
        paramLabel = "ROWS",
        description = "Backfill at most this many rows per second (0: no limit).")
    Long maxRowsPerSecond;

    @Option(
        names = "--max-active-connections",
        paramLabel = "N",
        description =
            "Wait while more client connections are running a statement on the database (0: no"
                + " check).")
    Integer maxActiveConnections;

    @Option(
        names = "--batch-time",
        paramLabel = "DURATION",
        description = "Size each batch toward this duration, e.g. 50ms (0: keep --batch-size).")
    String batchTime;

    @Option(
        names = "--replica",
        paramLabel = "NAME",
        description =
            "Wait while this standby (its application_name in pg_stat_replication) lags; repeat for"
                + " several.")
    List<String> replicas;

    @Option(
        names = "--max-replica-lag",
        paramLabel = "DURATION",
        description = "Replay lag a --replica may have, e.g. 10s.")
    String maxReplicaLag;

    @Option(
        names = "--max-replica-lag-bytes",
        paramLabel = "SIZE",
        description = "WAL a --replica may have left to replay, e.g. 64MB.")
    String maxReplicaLagBytes;

    void putInto(ObjectNode body) {
      if (maxRowsPerSecond != null) {
        body.put("max_rows_per_second", maxRowsPerSecond);
      }
      if (maxActiveConnections != null) {
        body.put("max_active_connections", maxActiveConnections);
      }
      if (batchTime != null) {
        body.put("batch_time_ms", duration("--batch-time", batchTime).toMillis());
      }
      if (replicas != null) {
        replicas.forEach(body.putArray("replicas")::add);
      }
      if (maxReplicaLag != null) {
        body.put("max_replica_lag_ms", duration("--max-replica-lag", maxReplicaLag).toMillis());
      }
      if (maxReplicaLagBytes != null) {
        try {
          body.put("max_replica_lag_bytes", Units.parseSize(maxReplicaLagBytes));
        } catch (IllegalArgumentException e) {
          throw new CliFailure(2, "--max-replica-lag-bytes: " + e.getMessage());
        }
      }
    }

    private static Duration duration(String option, String text) {
      try {
        return Units.parseDuration(text);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(2, option + ": " + e.getMessage());
      }
    }
  }

  /** Polls the job until it ends, redrawing one progress line on stderr; the end on stdout. */
  static Integer follow(MigrationCommands.Base cmd, AdminClient c, JsonNode job) {
    PrintWriter err = cmd.spec.commandLine().getErr();
    boolean tty = System.console() != null;
    String path = "/api/v1/jobs/" + job.path("id").asText();
    String last = "";
    long lastPrinted = 0;
    while (!finished(job)) {
      String line = ProgressLine.of(job);
      long now = System.nanoTime();
      if (tty) {
        err.print("\r" + line + " ".repeat(Math.max(0, last.length() - line.length())));
        err.flush();
        last = line;
      } else if (!line.equals(last) && now - lastPrinted > 2_000_000_000L) {
        // A log, not a terminal: a line every few seconds at most, not one per poll.
        err.println(line);
        err.flush();
        last = line;
        lastPrinted = now;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliFailure(
            1, "interrupted; the job goes on: turnout job " + job.path("id").asText());
      }
      job = c.get(path);
    }
    if (tty && !last.isEmpty()) {
      err.println("\r" + ProgressLine.of(job));
      err.flush();
    }
    String status = job.path("status").asText();
    String text = job.path("id").asText() + " " + status + ": " + job.path("message").asText();
    if (!status.equals("succeeded")) {
      throw new CliFailure(1, text, job);
    }
    long drift = job.path("result").path("drift").asLong(0);
    if (drift > 0) {
      throw new CliFailure(
          1, text + " — reads stay on the old path; run backfill, then verify again", job);
    }
    return cmd.print(job, text);
  }

  static boolean finished(JsonNode job) {
    String s = job.path("status").asText();
    return !s.equals("queued") && !s.equals("running");
  }

  @Command(
      name = "expand",
      mixinStandardHelpOptions = true,
      description =
          "Add the new columns (nullable), defaults and index copies; short lock_timeout,"
              + " retried with backoff. Then: expanded.")
  static final class Expand extends Starter {
    @Option(names = "--dry-run", description = "Print the DDL; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      return dryRun
          ? dryRun("expand")
          : start("expand", options.client().json().createObjectNode());
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description =
          "Copy old into new in keyset batches (resumable), then validate the NOT NULL check."
              + " Needs dual-write on. Then: backfilled.")
  static final class Backfill extends BatchedStarter {
    @Mixin LimitOptions limits = new LimitOptions();

    @Option(
        names = "--paused",
        description = "Start paused (resume with turnout job JOB --resume).")
    boolean paused;

    @Override
    public Integer call() {
      ObjectNode extra = options.client().json().createObjectNode();
      limits.putInto(extra);
      if (paused) {
        extra.put("paused", true);
      }
      return startBatched("backfill", extra);
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Count rows where new ≠ forward(old) or old ≠ backward(new). Drift 0: verified.")
  static final class Verify extends BatchedStarter {
    @Option(
        names = "--repair",
        description =
            "Write forward(old) into the drifting rows found (only where they differ, so no"
                + " concurrent dual-write is overwritten), then count them again.")
    boolean repair;

    @Override
    public Integer call() {
      ObjectNode extra = options.client().json().createObjectNode();
      if (repair) {
        extra.put("repair", true);
      }
      return startBatched("verify", extra);
    }
  }

  @Command(
      name = "contract",
      mixinStandardHelpOptions = true,
      description =
          "Drop the old columns for good (after the soak time, with no old-name use seen)."
              + " Needs --confirm MIGRATION.")
  static final class Contract extends Starter {
    @Option(names = "--confirm", paramLabel = "MIGRATION", description = "The migration's id.")
    String confirm;

    @Option(names = "--dry-run", description = "Print the DDL; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      if (dryRun) {
        return dryRun("contract");
      }
      ObjectNode extra = options.client().json().createObjectNode();
      if (confirm != null) {
        extra.put("confirm", confirm);
      }
      return start("contract", extra);
    }
  }

  @Command(
      name = "job",
      mixinStandardHelpOptions = true,
      description = "Follow a job until it ends (or list recent jobs, or cancel one).")
  static final class JobCommand extends MigrationCommands.Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB")
    String jobId;

    @Option(names = "--cancel", description = "Stop the job at its next safe point.")
    boolean cancel;

    @Option(names = "--pause", description = "Pause a backfill after its batch in flight.")
    boolean pause;

    @Option(names = "--resume", description = "Resume a paused backfill.")
    boolean resume;

    @Mixin LimitOptions limits = new LimitOptions();

    @Override
    public Integer call() {
      AdminClient c = options.client();
      if (jobId == null) {
        JsonNode all = c.get("/api/v1/jobs");
        StringBuilder sb = new StringBuilder();
        for (JsonNode j : all.path("jobs")) {
          sb.append(sb.length() == 0 ? "" : "\n")
              .append(
                  String.format(
                      Locale.ROOT,
                      "%-12s %-9s %-24s %-10s %s",
                      j.path("id").asText(),
                      j.path("kind").asText(),
                      j.path("migration").asText(),
                      j.path("status").asText(),
                      j.path("message").asText("")));
        }
        return print(all, sb.length() == 0 ? "no jobs on this instance" : sb.toString());
      }
      if (cancel) {
        JsonNode j = c.post("/api/v1/jobs/" + jobId + "/cancel", c.json().createObjectNode());
        return print(j, jobId + ": cancel requested (" + j.path("status").asText() + ")");
      }
      ObjectNode change = c.json().createObjectNode();
      limits.putInto(change);
      if (pause || resume) {
        if (pause && resume) {
          throw new CliFailure(2, "--pause and --resume together: choose one");
        }
        change.put("paused", pause);
      }
      if (!change.isEmpty()) {
        JsonNode j = c.post("/api/v1/jobs/" + jobId + "/limits", change);
        return print(j, jobId + ": limits now " + j.path("limits"));
      }
      return follow(this, c, c.get("/api/v1/jobs/" + jobId));
    }
  }
}
