package io.turnout.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.turnout.admin.control.Job;
import io.turnout.admin.control.JobKind;
import io.turnout.admin.control.JobRejectedException;
import io.turnout.admin.control.JobRunner;
import io.turnout.admin.control.MigrationJobs;
import io.turnout.admin.control.TransitionRefusedException;
import io.turnout.admin.control.UnknownMigrationException;
import io.turnout.admin.ddl.DdlException;
import io.turnout.admin.jobs.JobOptions;
import io.turnout.admin.jobs.JobProgress;
import io.turnout.admin.jobs.JobRefusedException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

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

  void start(Context ctx) throws SQLException {
    String id = ctx.pathParam("id");
    JsonNode body = ApiJson.parseBody(ctx, "{\"kind\": \"backfill\"}");
    JobKind kind = kind(body);
    boolean dryRun = bool(body, "dry_run");
    Optional<String> confirm = text(body, "confirm");
    JobOptions options = options(body);
    try {
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
