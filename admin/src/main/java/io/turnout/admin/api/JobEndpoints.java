package io.turnout.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.turnout.admin.control.Job;
import io.turnout.admin.control.JobKind;
import io.turnout.admin.control.JobRejectedException;
import io.turnout.admin.control.JobRunner;
import io.turnout.admin.control.MigrationJobs;
import io.turnout.admin.control.TransitionRefusedException;
import io.turnout.admin.control.UnknownMigrationException;
import io.turnout.admin.ddl.DdlException;
import io.turnout.admin.jobs.BackfillLimits;
import io.turnout.admin.jobs.JobOptions;
import io.turnout.admin.jobs.JobProgress;
import io.turnout.admin.jobs.JobRefusedException;
import io.turnout.config.plan.Migration;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The job endpoints: start {@code expand}, {@code backfill}, {@code verify} or {@code contract} on
 * a migration (202 and the job, or the DDL for a dry run), follow a job's progress, cancel it. A
 * job is refused before it starts, with the guard's reason, when the lifecycle would not accept its
 * result, so a refused job changes nothing. Jobs live on the instance that started them.
 */
public final class JobEndpoints {
  private final MigrationJobs jobs;
  private final JobRunner runner;

  public JobEndpoints(MigrationJobs jobs, JobRunner runner) {
    this.jobs = jobs;
    this.runner = runner;
  }

  /** Backfill and verify progress of this instance's jobs, as gauges in {@code registry}. */
  public void bindMetrics(MeterRegistry registry, List<? extends Migration> plan) {
    runner.bindMetrics(registry, plan);
  }

  void start(Context ctx) throws SQLException {
    String id = ctx.pathParam("id");
    JsonNode body = ApiJson.parseBody(ctx, "{\"kind\": \"backfill\"}");
    rejectUnknown(body, START_FIELDS);
    JobKind kind = kind(body);
    boolean dryRun = bool(body, "dry_run");
    Optional<String> confirm = text(body, "confirm");
    JobOptions options = options(body);
    if (kind != JobKind.BACKFILL) {
      for (String f : LIMIT_FIELDS) {
        if (body.has(f)) {
          throw new ApiError(
              400, "bad_request", f + " is a backfill limit; " + kind.wireName() + " has none");
        }
      }
    }
    boolean repair = bool(body, "repair");
    if (repair && kind != JobKind.VERIFY) {
      throw new ApiError(400, "bad_request", "repair is for verify, not " + kind.wireName());
    }
    try {
      BackfillLimits limits = limits(body, jobs.backfillLimits(id));
      if (dryRun) {
        String ddl =
            switch (kind) {
              case EXPAND -> jobs.expandDryRun(id);
              case CONTRACT -> jobs.contractDryRun(id);
              default ->
                  throw new ApiError(
                      400,
                      "bad_request",
                      "dry_run is for expand and contract, not " + kind.wireName());
            };
        ObjectNode out = ApiJson.MAPPER.createObjectNode();
        out.put("migration", id);
        out.put("kind", kind.wireName());
        out.put("ddl", ddl);
        ApiJson.send(ctx, 200, out);
        return;
      }
      jobs.precheck(id, kind, confirm);
      Job job =
          runner.submit(
              id,
              kind,
              AdminApi.actor(ctx),
              jobs.work(
                  id,
                  kind,
                  confirm,
                  options,
                  limits,
                  repair,
                  new MigrationJobs.Origin(AdminApi.actor(ctx), Optional.of(ctx.ip()))));
      ApiJson.send(ctx, 202, json(job));
    } catch (UnknownMigrationException e) {
      throw new ApiError(404, "unknown_migration", e.getMessage());
    } catch (TransitionRefusedException e) {
      ApiJson.send(ctx, 409, AdminApi.refusal(e));
    } catch (JobRefusedException | DdlException e) {
      throw new ApiError(409, "refused", e.getMessage());
    } catch (JobRejectedException e) {
      throw switch (e.reason()) {
        case ALREADY_RUNNING -> new ApiError(409, "job_running", e.getMessage());
        case QUEUE_FULL -> new ApiError(429, "busy", e.getMessage());
      };
    } catch (SQLException e) {
      throw AdminApi.unavailable(e);
    }
  }

  void list(Context ctx) {
    ObjectNode out = ApiJson.MAPPER.createObjectNode();
    ArrayNode list = out.putArray("jobs");
    String migration = ctx.queryParam("migration");
    for (Job j : runner.jobs()) {
      if (migration == null || migration.equals(j.migrationId())) {
        list.add(json(j));
      }
    }
    ApiJson.send(ctx, 200, out);
  }

  void show(Context ctx) {
    ApiJson.send(ctx, 200, json(job(ctx)));
  }

  void cancel(Context ctx) {
    Job job = job(ctx);
    runner.cancel(job.id());
    ApiJson.send(ctx, 202, json(job));
  }

  /**
   * Changes a running backfill's limits: any of {@link #LIMIT_FIELDS}, the others kept (pause with
   * {@code {"paused": true}}, resume with false).
   */
  void limits(Context ctx) {
    Job job = job(ctx);
    JsonNode body = ApiJson.parseBody(ctx, "{\"paused\": true}");
    rejectUnknown(body, LIMIT_FIELDS);
    try {
      job.changeLimits(current -> limits(body, current));
    } catch (IllegalStateException e) {
      throw new ApiError(409, "no_limits", e.getMessage());
    }
    ApiJson.send(ctx, 200, json(job));
  }

  /** A misspelt field is refused, not ignored: a limit the operator meant must not go missing. */
  private static void rejectUnknown(JsonNode body, List<String> known) {
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                throw new ApiError(
                    400,
                    "bad_request",
                    "unknown field \"" + f + "\": expected " + String.join(", ", known));
              }
            });
  }

  static final List<String> LIMIT_FIELDS =
      List.of(
          "paused",
          "batch_time_ms",
          "max_rows_per_second",
          "max_active_connections",
          "replicas",
          "max_replica_lag_ms",
          "max_replica_lag_bytes");

  static final List<String> START_FIELDS =
      Stream.concat(
              Stream.of("kind", "dry_run", "confirm", "batch_size", "repair"),
              LIMIT_FIELDS.stream())
          .toList();

  /** {@code base} with the limits {@code body} sets. */
  private static BackfillLimits limits(JsonNode body, BackfillLimits base) {
    BackfillLimits l = base;
    if (body.hasNonNull("paused")) {
      l = l.withPaused(bool(body, "paused"));
    }
    if (body.hasNonNull("batch_time_ms")) {
      l = l.withBatchTime(Duration.ofMillis(number(body, "batch_time_ms", 0, 60_000)));
    }
    if (body.hasNonNull("max_rows_per_second")) {
      l = l.withMaxRowsPerSecond(number(body, "max_rows_per_second", 0, Long.MAX_VALUE));
    }
    if (body.hasNonNull("max_active_connections")) {
      l = l.withMaxActiveConnections((int) number(body, "max_active_connections", 0, 100_000));
    }
    List<String> replicas = l.replicas();
    if (body.hasNonNull("replicas")) {
      JsonNode r = body.get("replicas");
      if (!r.isArray()) {
        throw new ApiError(400, "bad_request", "replicas must be an array of names, was " + r);
      }
      replicas = new ArrayList<>();
      for (JsonNode name : r) {
        if (!name.isTextual() || name.asText().isBlank()) {
          throw new ApiError(
              400, "bad_request", "replicas must hold application_name strings, had " + name);
        }
        replicas.add(name.asText());
      }
    }
    Duration lag =
        body.hasNonNull("max_replica_lag_ms")
            ? Duration.ofMillis(number(body, "max_replica_lag_ms", 1, 86_400_000))
            : l.maxReplicaLag();
    long lagBytes =
        body.hasNonNull("max_replica_lag_bytes")
            ? number(body, "max_replica_lag_bytes", 1, Long.MAX_VALUE)
            : l.maxReplicaLagBytes();
    return l.withReplicas(replicas, lag, lagBytes);
  }

  private static long number(JsonNode body, String field, long min, long max) {
    JsonNode v = body.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw new ApiError(
          400,
          "bad_request",
          field
              + " must be an integer "
              + min
              + ".."
              + (max == Long.MAX_VALUE ? "" : max)
              + ", was "
              + v);
    }
    return v.asLong();
  }

  private Job job(Context ctx) {
    String id = ctx.pathParam("job");
    return runner
        .job(id)
        .orElseThrow(
            () ->
                new ApiError(
                    404,
                    "unknown_job",
                    "no job '"
                        + id
                        + "' on this instance (jobs are kept by the instance that started them,"
                        + " the most recent ones only)"));
  }

  static ObjectNode json(Job j) {
    ObjectNode n = ApiJson.MAPPER.createObjectNode();
    n.put("id", j.id());
    n.put("migration", j.migrationId());
    n.put("kind", j.kind().wireName());
    n.put("status", j.status().name().toLowerCase(Locale.ROOT));
    n.put("actor", j.actor());
    n.put("queued_at", j.queuedAt().toString());
    j.startedAt().ifPresent(t -> n.put("started_at", t.toString()));
    j.finishedAt().ifPresent(t -> n.put("finished_at", t.toString()));
    j.message().ifPresent(m -> n.put("message", m));
    j.rows().ifPresent(p -> rows(n.putObject("rows"), p));
    j.limits().ifPresent(l -> limits(n.putObject("limits"), l));
    j.ddl()
        .ifPresent(
            d -> {
              ObjectNode o = n.putObject("ddl");
              o.put("phase", d.phase());
              o.put("steps_done", d.stepsDone());
              o.put("steps_total", d.stepsTotal());
              d.step().ifPresent(s -> o.put("step", s));
              o.put("lock_retries", d.retries());
            });
    if (!j.result().isEmpty()) {
      n.set("result", ApiJson.MAPPER.valueToTree(j.result()));
    }
    return n;
  }

  private static void rows(ObjectNode o, JobProgress p) {
    o.put("done", p.rowsDone());
    o.put("changed", p.rowsChanged());
    o.put("estimated_total", p.rowsTotal());
    o.put("fraction", Math.round(p.fraction() * 10_000) / 10_000.0);
    o.put("per_second", Math.round(p.rowsPerSecond() * 10) / 10.0);
    p.eta().ifPresent(eta -> o.put("eta_seconds", eta.toSeconds()));
    o.put("batches", p.batches());
    if (p.batchSize() > 0) {
      o.put("batch_size", p.batchSize());
    }
    p.waitingFor().ifPresent(w -> o.put("waiting_for", w));
  }

  private static void limits(ObjectNode o, BackfillLimits l) {
    o.put("paused", l.paused());
    o.put("batch_time_ms", l.batchTime().toMillis());
    o.put("max_rows_per_second", l.maxRowsPerSecond());
    o.put("max_active_connections", l.maxActiveConnections());
    ArrayNode replicas = o.putArray("replicas");
    l.replicas().forEach(replicas::add);
    o.put("max_replica_lag_ms", l.maxReplicaLag().toMillis());
    o.put("max_replica_lag_bytes", l.maxReplicaLagBytes());
  }

  // ---------------------------------------------------------------- request fields

  private static JobKind kind(JsonNode body) {
    JsonNode k = body.get("kind");
    String kinds =
        Arrays.stream(JobKind.values()).map(JobKind::wireName).collect(Collectors.joining(", "));
    if (k == null || !k.isTextual()) {
      throw new ApiError(400, "bad_request", "\"kind\" is required: one of " + kinds);
    }
    return JobKind.ofWireName(k.asText())
        .orElseThrow(
            () ->
                new ApiError(
                    400, "bad_request", "unknown kind '" + k.asText() + "': one of " + kinds));
  }

  private static boolean bool(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ApiError(400, "bad_request", field + " must be true or false, was " + v);
    }
    return v.asBoolean();
  }

  private static Optional<String> text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new ApiError(400, "bad_request", field + " must be a string, was " + v);
    }
    return Optional.of(v.asText());
  }

  private static JobOptions options(JsonNode body) {
    JsonNode b = body.get("batch_size");
    if (b == null || b.isNull()) {
      return JobOptions.DEFAULT;
    }
    if (!b.isIntegralNumber() || b.asLong() < 1 || b.asLong() > 1_000_000) {
      throw new ApiError(400, "bad_request", "batch_size must be an integer 1..1000000, was " + b);
    }
    return JobOptions.DEFAULT.withBatchSize(b.asInt());
  }
}
