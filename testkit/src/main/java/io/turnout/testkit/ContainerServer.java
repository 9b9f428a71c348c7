package io.turnout.testkit;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A PostgreSQL container (image {@code TURNOUT_TEST_PG_IMAGE}, default {@code postgres:15-alpine}),
 * with our settings on the command line. Clients reach it from the Docker bridge, not loopback, so
 * pg_hba also trusts every network for non-fixture roles; the container is private to the test.
 */
final class ContainerServer extends BaseServer {

  static final String IMAGE_ENV = "TURNOUT_TEST_PG_IMAGE";
  static final String DEFAULT_IMAGE = "postgres:15-alpine";
  private static final String PASSWORD = "postgres";

  private final PostgreSQLContainer<?> container;

  private ContainerServer(String name, PostgreSQLContainer<?> container) {
    super(
        "testcontainers",
        name,
        container.getHost(),
        container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
        RunAs.POSTGRES,
        PASSWORD,
        "postgres",
        true,
        PgBinaries.clientTools(System.getenv()));
    this.container = container;
  }

  static ContainerServer start(PostgresOptions options) throws SQLException {
    String image = System.getenv().getOrDefault(IMAGE_ENV, DEFAULT_IMAGE);
    Map<String, String> settings = ClusterConfig.settings(options, null);
    settings.put("listen_addresses", "*");
    List<String> command = new ArrayList<>(List.of("postgres"));
    settings.forEach(
        (k, v) -> {
          command.add("-c");
          command.add(k + "=" + v);
        });
    PostgreSQLContainer<?> c =
        new PostgreSQLContainer<>(
                DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
            .withUsername(RunAs.POSTGRES)
            .withPassword(PASSWORD)
            .withDatabaseName("postgres");
    c.setCommand(command.toArray(new String[0]));
    c.start();
    ContainerServer server = new ContainerServer(options.name(), c);
    try {
      List<String> networks = new ArrayList<>(ClusterConfig.LOOPBACK);
      networks.add("0.0.0.0/0");
      networks.add("::/0");
      AuthFixtures.install(server, networks);
    } catch (SQLException | RuntimeException e) {
      server.stop();
      throw e;
    }
    return server;
  }

  @Override
  Optional<String> cannotRestart() {
    // docker stop/start would work, but Testcontainers maps a new random host port on start.
    return Optional.of(
        "a restarted container gets a new host port, so clients could not reconnect to "
            + host()
            + ":"
            + port());
  }

  @Override
  void stop() {
    container.stop();
  }
}
