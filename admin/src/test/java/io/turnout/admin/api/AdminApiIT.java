package io.turnout.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.turnout.admin.AdminFixtures;
import io.turnout.admin.control.Transitions;
import io.turnout.admin.store.StateFollower;
import io.turnout.admin.store.StateStore;
import io.turnout.config.AdminSettings;
import io.turnout.config.HostPort;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.state.Phase;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class AdminApiIT {
  private static final String TOKEN = "s3cret-token";
  private static final RenameColumn PLAN = AdminFixtures.RENAME_EMAIL;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private String db;
  private StateStore store;
  private StateFollower follower;
  private AdminApi api;
  private String base;

  @BeforeEach
  void start(PostgresServer pg) throws Exception {
    db = pg.createDatabase("api");
    AdminFixtures.expandedUsers(pg, db);
    store = new StateStore(AdminFixtures.dataSource(pg, db));
    store.initialize();
    follower =
        new StateFollower(
                AdminFixtures.followerConnector(pg, db),
                List.of(PLAN),
                Duration.ofSeconds(30),
                s -> {})
            .start();
    api =
        new AdminApi(
                new AdminSettings(
                    true,
                    new HostPort("127.0.0.1", 0),
                    Optional.of(TOKEN),
                    false,
                    Optional.empty()),
                List.of(PLAN),
                store,
                follower,
                new Transitions(
                    List.of(PLAN), store, Transitions.storeEvidence(store, Clock.systemUTC())),
                "test-instance")
            .start();
    base = "http://127.0.0.1:" + api.address().getPort();
    // Two accepted changes, so "nothing changed" below is measured against a non-trivial state.
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO turnout.migration_state (migration_id, phase, read_percent, shadow_percent,"
              + " version, phase_since, updated_at) VALUES ('rename-email', 'expanded', 0, 0, 0,"
              + " now(), now())");
    }
    HttpResponse<String> on =
        post(
            "/api/v1/migrations/rename-email/transitions",
            "{\"action\": \"dual_write_on\"}",
            TOKEN);
    assertThat(on.statusCode()).isEqualTo(200);
    // Answered only once this instance's follower applied it.
    assertThat(on.body()).contains("\"applied_here\":true");
    assertThat(follower.snapshot().phase("rename-email")).isEqualTo(Phase.DUAL_WRITE);
  }

  @AfterEach
  void stop() {
    api.close();
    follower.close();
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void assertError(HttpResponse<String> r, int status, String code, String message)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode body = json.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).contains(message);
  }

  @Test
  void badInput_everyKind_4xxWithJsonBody_andNothingChanged() throws Exception {
    long version = store.load().version();
    int audit = store.audit(Optional.empty(), 1000).size();
    String path = "/api/v1/migrations/rename-email/transitions";

    assertError(post(path, "{\"action\": ", TOKEN), 400, "malformed_json", "not valid JSON");
    assertError(post(path, "[1]", TOKEN), 400, "bad_request", "JSON object");
    assertError(
        post("/api/v1/migrations/nope/transitions", "{\"action\": \"rollback\"}", TOKEN),
        404,
        "unknown_migration",
        "no migration 'nope' in the plan (migrations: rename-email)");
    assertError(
        post(path, "{\"action\": \"teleport\"}", TOKEN),
        400,
        "bad_request",
        "unknown action 'teleport'");
    assertError(
        post(path, "{\"action\": \"expand\"}", TOKEN), 400, "bad_request", "result of a job");
    assertError(
        post(path, "{\"action\": \"reads\", \"percent\": 101}", TOKEN),
        400,
        "bad_request",
        "percent must be 0..100, was 101");
    assertError(
        post(path, "{\"action\": \"reads\", \"percent\": -1}", TOKEN),
        400,
        "bad_request",
        "percent must be 0..100, was -1");
    assertError(
        post(path, "{\"action\": \"reads\"}", TOKEN),
        400,
        "bad_request",
        "\"percent\" (an integer");
    // Illegal transition: reads before verify.
    HttpResponse<String> refused = post(path, "{\"action\": \"reads\", \"percent\": 5}", TOKEN);
    assertError(refused, 409, "refused", "reads on the new path need a clean verify");
    assertThat(json.readTree(refused.body()).path("guard").asText()).isEqualTo("verified");
    assertError(
        post(path, "{\"action\": \"rollback\", \"expected_version\": 0}", TOKEN),
        409,
        "conflict",
        "expected version 0");
    assertError(
        post(path, "{\"action\": \"rollback\"}", null),
        401,
        "unauthorized",
        "needs the admin token");
    assertError(post(path, "{\"action\": \"rollback\"}", "wrong"), 401, "unauthorized", "wrong");
    assertError(get("/api/v1/migrations", null), 401, "unauthorized", "needs the admin token");
    assertError(get("/api/v1/audit?limit=0", TOKEN), 400, "bad_request", "limit must be 1..10000");
    assertError(get("/api/v1/nothing", TOKEN), 404, "not_found", "no such endpoint");

    assertThat(store.load().version()).isEqualTo(version);
    assertThat(store.audit(Optional.empty(), 1000)).hasSize(audit);
  }

  @Test
  void goodCalls_statusTransitionAuditHealthMetricsOpenApi() throws Exception {
    HttpResponse<String> list = get("/api/v1/migrations", TOKEN);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json.readTree(list.body()).path("migrations").get(0).path("phase").asText())
        .isEqualTo("dual_write");
    HttpResponse<String> back =
        post("/api/v1/migrations/rename-email/transitions", "{\"action\": \"rollback\"}", TOKEN);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(json.readTree(back.body()).path("migration").path("phase").asText())
        .isEqualTo("expanded");
    JsonNode audit = json.readTree(get("/api/v1/audit?migration=rename-email", TOKEN).body());
    assertThat(audit.path("entries").get(0).path("action").asText()).isEqualTo("rollback");
    assertThat(audit.path("entries").get(0).path("client_address").asText()).isEqualTo("127.0.0.1");

    long version = store.load().version();
    assertThat(follower.awaitVersion(version, Duration.ofSeconds(10))).isTrue();
    assertThat(json.readTree(get("/api/v1/state", TOKEN).body()).path("applied_version").asLong())
        .isEqualTo(version);
    HttpResponse<String> health = get("/healthz", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(json.readTree(health.body()).path("state_store").path("connected").asBoolean())
        .isTrue();
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
    String metrics = get("/metrics", TOKEN).body();
    assertThat(metrics)
        .contains("turnout_state_version_applied{instance=\"test-instance\"} " + version);
    assertThat(metrics).contains("turnout_admin_requests_total{outcome=\"changed\"}");
    JsonNode openApi = json.readTree(get("/openapi.json", TOKEN).body());
    assertThat(openApi.path("openapi").asText()).isEqualTo("3.0.3");
  }
}
