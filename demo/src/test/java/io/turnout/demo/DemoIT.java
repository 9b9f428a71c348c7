package io.turnout.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.HostPort;
import io.turnout.config.plan.Migration;
import io.turnout.testkit.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code turnout demo} end to end, minus the wait for Ctrl-C: its own PostgreSQL (local binaries,
 * else embedded), the sample data, the plan written with the real addresses, a JDBC client through
 * Turnout, and the admin API and CLI with the URL and token the banner gives.
 */
class DemoIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void start_servesTheSampleDataThroughTurnout() throws Exception {
    try (PostgresServer pg = DemoCommand.startPostgres();
        DemoCommand.Running demo =
            DemoCommand.start(
                HostPort.parse("127.0.0.1:0"), DemoCommand.AdminPort.exactly(0), pg)) {
      InetSocketAddress at = demo.server().address();
      String url = "jdbc:postgresql://" + at.getHostString() + ":" + at.getPort() + "/demo";
      try (Connection c = DriverManager.getConnection(url, pg.superuser(), pg.superuserPassword());
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from users")) {
        assertTrue(rs.next());
        assertEquals(1000, rs.getLong(1));
      }

      List<String> migrations =
          demo.config().migrations().stream().map(Migration::id).collect(Collectors.toList());
      assertEquals(List.of("rename-email", "split-name"), migrations);
      String plan = Files.readString(demo.plan());
      assertTrue(plan.contains("listen: 127.0.0.1:0"), plan);
      assertTrue(plan.contains(":" + pg.port() + "/demo"), plan);
      assertThat(plan).doesNotContain(demo.adminToken());
    }
  }

  @Test
  void start_runsTheAdminApiWithThisRunsToken_andTheBannerSaysHowToUseIt() throws Exception {
    try (PostgresServer pg = DemoCommand.startPostgres();
        DemoCommand.Running demo =
            DemoCommand.start(
                HostPort.parse("127.0.0.1:0"), DemoCommand.AdminPort.exactly(0), pg)) {
      String admin = demo.adminUrl();
      String token = demo.adminToken();
      assertThat(admin).matches("http://127\\.0\\.0\\.1:\\d+");
      assertThat(admin).isNotEqualTo("http://127.0.0.1:0");
      assertThat(token).matches("[0-9a-f]{64}");
      assertThat(demo.adminPortTaken()).isEmpty();

      HttpResponse<String> state = get(admin + "/api/v1/state", token);
      assertThat(state.statusCode()).as(state.body()).isEqualTo(200);
      assertThat(state.body()).contains("\"applied_version\"");
      HttpResponse<String> list = get(admin + "/api/v1/migrations", token);
      assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
      assertThat(list.body()).contains("\"rename-email\"").contains("\"planned\"");
      assertThat(get(admin + "/api/v1/state", null).statusCode()).isEqualTo(401);
      assertThat(get(admin + "/api/v1/migrations", "wrong").statusCode()).isEqualTo(401);

      String banner = DemoCommand.welcome(pg, demo);
      assertThat(banner)
          .contains("  Admin API:             " + admin + "\n")
          .contains("  export TURNOUT_ADMIN_URL=" + admin + " TURNOUT_ADMIN_TOKEN=" + token + "\n")
          .contains("  ./turnout status\n")
          .contains("  ./turnout expand rename-email --dry-run\n")
          .contains("  ./turnout expand rename-email\n")
          .contains("  ./turnout dual-write rename-email on\n")
          .contains("  ./turnout backfill rename-email\n")
          .contains("  ./turnout verify rename-email\n")
          .contains("psql \"postgresql://" + pg.superuser() + "@127.0.0.1:");
      assertThat(banner.split(token, -1)).as("the token is printed once").hasSize(2);

      // The banner's URL and token work with the CLI as it is.
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = DemoMain.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int exit = cl.execute("status", "--admin", admin, "--token", token);
      assertThat(exit).as(err.toString()).isZero();
      assertThat(out.toString())
          .contains("rename-email")
          .contains("split-name")
          .contains("planned");
    }
  }

  @Test
  void start_adminPortTaken_givenPortFailsClearly_defaultTakesAFreeOne() throws Exception {
    try (PostgresServer pg = DemoCommand.startPostgres();
        ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int taken = busy.getLocalPort();
      HostPort anyPort = HostPort.parse("127.0.0.1:0");

      assertThatThrownBy(() -> DemoCommand.start(anyPort, DemoCommand.AdminPort.exactly(taken), pg))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "the admin API cannot listen on 127.0.0.1:"
                  + taken
                  + ": the port is in use (choose another with --admin-port PORT, or"
                  + " --admin-port 0 for a free one)");

      try (DemoCommand.Running demo =
          DemoCommand.start(anyPort, new DemoCommand.AdminPort(taken, true), pg)) {
        assertThat(demo.adminPortTaken()).isEqualTo(OptionalInt.of(taken));
        assertThat(demo.adminUrl()).isNotEqualTo("http://127.0.0.1:" + taken);
        assertThat(get(demo.adminUrl() + "/api/v1/state", demo.adminToken()).statusCode())
            .isEqualTo(200);
        assertThat(DemoCommand.welcome(pg, demo))
            .contains("(port " + taken + " was in use, so it took a free one;");
      }
    }
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
