package io.turnout.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.admin.AdminFixtures;
import io.turnout.admin.api.AdminApi;
import io.turnout.admin.control.Transitions;
import io.turnout.admin.store.StateFollower;
import io.turnout.admin.store.StateStore;
import io.turnout.config.AdminSettings;
import io.turnout.config.HostPort;
import io.turnout.config.TlsSettings;
import io.turnout.config.plan.RenameColumn;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.TestCertificate;
import io.turnout.testkit.junit.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * admin.tls: the API serves HTTPS only, with the same PEM files the proxy's tls takes, and the CLI
 * reaches it with --admin-ca for a certificate the JDK does not already trust.
 */
@ExtendWith(PostgresExtension.class)
class AdminTlsIT {
  private static final String TOKEN = "tls-token";
  private static final RenameColumn PLAN = AdminFixtures.RENAME_EMAIL;

  @TempDir Path dir;
  private TestCertificate certificate;
  private StateStore store;
  private StateFollower follower;
  private AdminApi api;
  private int port;

  @BeforeEach
  void start(PostgresServer pg) throws Exception {
    certificate = TestCertificate.generate(dir);
    String db = pg.createDatabase("admintls");
    store = new StateStore(AdminFixtures.dataSource(pg, db));
    store.initialize();
    follower =
        new StateFollower(
                AdminFixtures.followerConnector(pg, db),
                List.of(PLAN),
                Duration.ofSeconds(30),
                s -> {})
            .start();
    api = api(new TlsSettings(certificate.certificatePem(), certificate.privateKeyPem())).start();
    port = api.address().getPort();
  }

  private AdminApi api(TlsSettings tls) {
    return new AdminApi(
        new AdminSettings(
            true, new HostPort("127.0.0.1", 0), Optional.of(TOKEN), false, Optional.of(tls)),
        List.of(PLAN),
        store,
        follower,
        new Transitions(List.of(PLAN), store, Transitions.storeEvidence(store, Clock.systemUTC())),
        "tls-instance");
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    follower.close();
  }

  @Test
  void cli_withAdminCa_readsAndChangesOverHttps() {
    AdminClient client =
        new AdminClient(
            "https://127.0.0.1:" + port, TOKEN, Optional.of(certificate.certificatePem()));

    assertThat(client.get("/api/v1/migrations").toString()).contains("rename-email");
    assertThat(client.get("/api/v1/state").path("instance").asText()).isEqualTo("tls-instance");
  }

  @Test
  void cli_withoutAdminCa_refusesTheUnknownCertificate_andSaysHowToTrustIt() {
    AdminClient client = new AdminClient("https://127.0.0.1:" + port, TOKEN, Optional.empty());

    assertThatThrownBy(() -> client.get("/api/v1/migrations"))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("TLS handshake with the admin API")
        .hasMessageContaining("--admin-ca FILE");
  }

  @Test
  void plainHttp_isNotServed_soTheTokenNeverTravelsInClearText() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/migrations"))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> r = null;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException expected) {
      // the TLS connector closes a plain-text connection: equally fine
    }
    if (r != null) {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).doesNotContain("rename-email");
    }
  }

  @Test
  void aBadKeyFile_isRefusedAtStart_withItsPath() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.key"), "not a key\n");

    assertThatThrownBy(() -> api(new TlsSettings(certificate.certificatePem(), bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("admin.tls: cannot load certificate")
        .hasMessageContaining("bad.key");
  }

  @Test
  void adminCa_thatIsNotACertificate_isAUsageError() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "hello\n");

    assertThatThrownBy(
            () -> new AdminClient("https://127.0.0.1:" + port, TOKEN, Optional.of(notPem)))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("--admin-ca " + notPem)
        .extracting(e -> ((CliFailure) e).exitCode())
        .isEqualTo(2);
  }
}
