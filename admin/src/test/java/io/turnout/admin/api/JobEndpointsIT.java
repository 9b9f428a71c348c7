package io.turnout.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.turnout.admin.AdminFixtures;
import io.turnout.admin.ControlPlane;
import io.turnout.admin.jobs.JobLock;
import io.turnout.admin.store.AuditEntry;
import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.BackfillPolicy;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.plan.VerifyPolicy;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job endpoints' answers to bad and refused requests (4xx, JSON, nothing changed), and a DDL
 * job that finds another session holding the migration's DDL lock.
 */
@ExtendWith(PostgresExtension.class)
class JobEndpointsIT {
  private static final String TOKEN = "job-token";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void badAndRefusedRequests_4xxWithReasons_andNothingChanges(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobapi");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
    }
    try (ControlPlane control = ControlPlane.start(config(pg, db), "job-api", s -> {})) {
      String base = "http://127.0.0.1:" + control.adminAddress().orElseThrow().getPort();
      String jobs = base + "/api/v1/migrations/rename-email/jobs";

      assertError(post(jobs, "{\"kind\": \"explode\"}", TOKEN), 400, "bad_request", "unknown kind");
      assertError(post(jobs, "{}", TOKEN), 400, "bad_request", "\"kind\" is required");
      assertError(
          post(jobs, "{\"kind\": \"backfill\", \"max_rows_per_secnd\": 5}", TOKEN),
          400,
          "bad_request",
          "unknown field \"max_rows_per_secnd\"");
      assertError(post(jobs, "{\"kind\": ", TOKEN), 400, "malformed_json", "line 1");
      assertError(
          post(jobs, "{\"kind\": \"verify\", \"dry_run\": true}", TOKEN),
          400,
          "bad_request",
          "dry_run is for expand and contract");
      assertError(
          post(jobs, "{\"kind\": \"backfill\", \"batch_size\": 0}", TOKEN),
          400,
          "bad_request",
          "batch_size");
      assertError(post(jobs, "{\"kind\": \"expand\"}", null), 401, "unauthorized", "admin token");
      assertError(
          post(base + "/api/v1/migrations/nope/jobs", "{\"kind\": \"expand\"}", TOKEN),
          404,
          "unknown_migration",
          "nope");
      HttpResponse<String> refused = post(jobs, "{\"kind\": \"verify\"}", TOKEN);
      assertError(refused, 409, "refused", "verify is not possible in phase planned");
      assertThat(json.readTree(refused.body()).path("guard").asText()).isEqualTo("phase");
      assertError(
          get(base + "/api/v1/jobs/job-missing"), 404, "unknown_job", "no job 'job-missing'");
      assertThat(json.readTree(get(base + "/api/v1/jobs").body()).path("jobs")).isEmpty();
      assertThat(control.store().load().version()).isZero();
      assertThat(control.store().audit(Optional.empty(), 10)).isEmpty();

      // Another instance's expand holds the DDL lock: this one's job fails, naming the holder.
      try (Connection holder = pg.connect(db)) {
        JobLock.acquire(holder, "ddl", "rename-email");
        HttpResponse<String> started = post(jobs, "{\"kind\": \"expand\"}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode job = await(base, json.readTree(started.body()).path("id").asText());
        assertThat(job.path("status").asText()).isEqualTo("failed");
        assertThat(job.path("message").asText())
            .contains("ddl of rename-email is already running")
            .contains("held by pid");
      }
      assertThat(control.store().load().version()).isZero();
      HttpResponse<String> again = post(jobs, "{\"kind\": \"expand\"}", TOKEN);
      JsonNode done = await(base, json.readTree(again.body()).path("id").asText());
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
      assertThat(done.path("ddl").path("steps_total").asInt()).isEqualTo(1);
      assertThat(control.store().load().record("rename-email").phase().name())
          .isEqualTo("EXPANDED");
    }
  }

  @Test
  void aBackfillStartedPaused_showsWhy_takesNewLimits_andResumes(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("jobapi");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute("INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 3000) g");
    }
    // The plan's backfill: section gives the limits a job starts with.
    RenameColumn planned =
        new RenameColumn(
            "rename-email",
            "primary",
            new TableName("public", "users"),
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            new ShadowPolicy(0.1, 0.001),
            UnanalysablePolicy.DEFAULT,
            ContractPolicy.DEFAULT,
            VerifyPolicy.DEFAULT,
            new BackfillPolicy(
                Duration.ofMillis(20), 0, 50, List.of(), Duration.ofSeconds(5), 1 << 20));
    try (ControlPlane control = ControlPlane.start(config(pg, db, planned), "job-api", s -> {})) {
      String base = "http://127.0.0.1:" + control.adminAddress().orElseThrow().getPort();
      String jobs = base + "/api/v1/migrations/rename-email/jobs";
      JsonNode expand = await(base, id(post(jobs, "{\"kind\": \"expand\"}", TOKEN)));
      assertThat(expand.path("status").asText()).as(expand.toString()).isEqualTo("succeeded");
      HttpResponse<String> on =
          post(
              base + "/api/v1/migrations/rename-email/transitions",
              "{\"action\": \"dual_write_on\"}",
              TOKEN);
      assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
      assertError(
          post(jobs, "{\"kind\": \"verify\", \"paused\": true}", TOKEN),
          400,
          "bad_request",
          "paused is a backfill limit");

      String id =
          id(post(jobs, "{\"kind\": \"backfill\", \"paused\": true, \"replicas\": []}", TOKEN));
      String limits = base + "/api/v1/jobs/" + id + "/limits";
      JsonNode waiting = awaitRows(base, id, "waiting_for");
      assertThat(waiting.path("rows").path("waiting_for").asText())
          .isEqualTo("paused by an operator");
      assertThat(waiting.path("rows").path("done").asLong()).isZero();
      assertThat(waiting.path("limits").path("paused").asBoolean()).isTrue();
      assertThat(waiting.path("limits").path("batch_time_ms").asLong()).isEqualTo(20);
      assertThat(waiting.path("limits").path("max_active_connections").asLong()).isEqualTo(50);

      assertError(post(limits, "{\"speed\": 1}", TOKEN), 400, "bad_request", "unknown field");
      assertError(
          post(limits, "{\"max_rows_per_second\": -1}", TOKEN),
          400,
          "bad_request",
          "max_rows_per_second must be an integer 0..");
      assertError(post(limits, "{\"paused\": false}", null), 401, "unauthorized", "admin token");
      HttpResponse<String> rated = post(limits, "{\"max_rows_per_second\": 100000}", TOKEN);
      assertThat(rated.statusCode()).as(rated.body()).isEqualTo(200);
      JsonNode job = json.readTree(rated.body());
      assertThat(job.path("limits").path("max_rows_per_second").asLong()).isEqualTo(100000);
      assertThat(job.path("limits").path("paused").asBoolean()).as("kept").isTrue();

      HttpResponse<String> resumed = post(limits, "{\"paused\": false}", TOKEN);
      assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
      JsonNode done = await(base, id);
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
      assertThat(done.path("result").path("rows_done").asLong()).isEqualTo(3000);
      assertError(post(limits, "{\"paused\": true}", TOKEN), 409, "no_limits", "finished");
    }
  }

  @Test
  void aPeriodicVerify_findsAWriteThatBypassedTurnoutDuringTheRollout_andStopsItsRaise(
      PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobapi");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute("INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 500) g");
    }
    RenameColumn everySecond =
        new RenameColumn(
            "rename-email",
            "primary",
            new TableName("public", "users"),
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            new ShadowPolicy(0.1, 0.001),
            UnanalysablePolicy.DEFAULT,
            ContractPolicy.DEFAULT,
            new VerifyPolicy(Duration.ofSeconds(1)));
    try (ControlPlane control =
        ControlPlane.start(config(pg, db, everySecond), "job-api", s -> {})) {
      String base = "http://127.0.0.1:" + control.adminAddress().orElseThrow().getPort();
      String jobs = base + "/api/v1/migrations/rename-email/jobs";
      String transitions = base + "/api/v1/migrations/rename-email/transitions";
      assertThat(
              await(base, id(post(jobs, "{\"kind\": \"expand\"}", TOKEN))).path("status").asText())
          .isEqualTo("succeeded");
      assertThat(post(transitions, "{\"action\": \"dual_write_on\"}", TOKEN).statusCode())
          .isEqualTo(200);
      assertThat(
              await(base, id(post(jobs, "{\"kind\": \"backfill\"}", TOKEN)))
                  .path("status")
                  .asText())
          .isEqualTo("succeeded");
      assertThat(
              await(base, id(post(jobs, "{\"kind\": \"verify\"}", TOKEN))).path("status").asText())
          .isEqualTo("succeeded");
      assertThat(post(transitions, "{\"action\": \"reads\", \"percent\": 50}", TOKEN).statusCode())
          .isEqualTo(200);

      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.execute("UPDATE users SET email = 'bypassed@x' WHERE id = 7"); // not through Turnout
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (control.store().load().record("rename-email").drift().orElse(0) == 0) {
        assertThat(System.nanoTime())
            .as("a periodic verify records the drift")
            .isLessThan(deadline);
        Thread.sleep(100);
      }
      AuditEntry found = control.store().audit(Optional.of("rename-email"), 1).get(0);
      assertThat(found.actor()).isEqualTo("periodic verify");
      assertThat(found.reason()).get().asString().contains("verify found drift 1");
      assertThat(get(base + "/metrics").body())
          .contains("turnout_verify_drift_rows{migration=\"rename-email\"} 1.0");

      assertError(
          post(transitions, "{\"action\": \"reads\", \"percent\": 100}", TOKEN),
          409,
          "refused",
          "drift 1");
      assertThat(post(transitions, "{\"action\": \"reads\", \"percent\": 10}", TOKEN).statusCode())
          .as("lowering stays possible")
          .isEqualTo(200);
    }
  }

  private String id(HttpResponse<String> started) throws Exception {
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    return json.readTree(started.body()).path("id").asText();
  }

  /** The job once its rows show {@code field}. */
  private JsonNode awaitRows(String base, String id, String field) throws Exception {
    for (int i = 0; i < 400; i++) {
      JsonNode job = json.readTree(get(base + "/api/v1/jobs/" + id).body());
      if (job.path("rows").has(field)) {
        return job;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("job " + id + " never showed rows." + field);
  }

  private JsonNode await(String base, String id) throws Exception {
    for (int i = 0; i < 200; i++) {
      JsonNode job = json.readTree(get(base + "/api/v1/jobs/" + id).body());
      String status = job.path("status").asText();
      if (!status.equals("queued") && !status.equals("running")) {
        return job;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " did not end in 10 s");
  }

  private void assertError(HttpResponse<String> r, int status, String code, String message)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = json.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).contains(message);
  }

  private static TurnoutConfig config(PostgresServer pg, String db) {
    return config(pg, db, AdminFixtures.RENAME_EMAIL);
  }

  private static TurnoutConfig config(PostgresServer pg, String db, Migration migration) {
    String url = pg.url(db);
    return new TurnoutConfig(
        TurnoutConfig.DEFAULT_LISTEN,
        new AdminSettings(
            true, new HostPort("127.0.0.1", 0), Optional.of(TOKEN), false, Optional.empty()),
        Map.of(TurnoutConfig.PRIMARY, BackendUrl.parse(url)),
        TurnoutConfig.PRIMARY,
        ProxyLimits.DEFAULTS,
        Optional.empty(),
        List.of(migration));
  }

  private HttpResponse<String> post(String url, String body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
