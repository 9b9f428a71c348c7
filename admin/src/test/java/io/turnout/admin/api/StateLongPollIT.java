package io.turnout.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.turnout.admin.AdminFixtures;
import io.turnout.admin.control.Transitions;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.store.Change;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/state?wait_version=N: answered when the version is applied, or at the timeout. */
@ExtendWith(PostgresExtension.class)
class StateLongPollIT {
  private static final String TOKEN = "long-poll-token";
  private static final RenameColumn PLAN = AdminFixtures.RENAME_EMAIL;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private StateStore store;
  private StateFollower follower;
  private AdminApi api;
  private String base;

  @BeforeEach
  void start(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("longpoll");
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
                "long-poll")
            .start();
    base = "http://127.0.0.1:" + api.address().getPort();
    assertThat(follower.awaitVersion(0, Duration.ofSeconds(10))).isTrue();
  }

  @AfterEach
  void stop() {
    api.close();
    follower.close();
  }

  @Test
  void waitVersion_answersOnceApplied() throws Exception {
    CompletableFuture<HttpResponse<String>> waiting = getAsync("/api/v1/state?wait_version=1");
    Thread.sleep(300);
    assertThat(waiting).as("answered before the change").isNotDone();
    MigrationRecord from = store.load().record(PLAN.id());
    store.apply(
        new Change(
            from,
            from.withPhase(Phase.EXPANDED, Instant.now()),
            Action.EXPAND,
            "it",
            Optional.empty(),
            "test"));
    HttpResponse<String> r = waiting.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json.readTree(r.body()).path("applied_version").asLong()).isEqualTo(1);
    // Reached already: no wait at all.
    HttpResponse<String> now = getAsync("/api/v1/state?wait_version=1").get(2, TimeUnit.SECONDS);
    assertThat(json.readTree(now.body()).path("applied_version").asLong()).isEqualTo(1);
  }

  @Test
  void waitVersion_notReached_answersAtTheTimeoutWithTheAppliedVersion() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r =
        getAsync("/api/v1/state?wait_version=99&timeout_ms=400").get(10, TimeUnit.SECONDS);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json.readTree(r.body()).path("applied_version").asLong()).isZero();
    assertThat(millis).isBetween(350L, 5_000L);
  }

  @Test
  void waitVersion_badNumbers_400() throws Exception {
    for (String q : List.of("wait_version=x", "wait_version=-1", "wait_version=1&timeout_ms=1s")) {
      HttpResponse<String> r = getAsync("/api/v1/state?" + q).get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("error").asText()).isEqualTo("bad_request");
    }
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + TOKEN)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
