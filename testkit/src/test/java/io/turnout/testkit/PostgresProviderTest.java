package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider chain with fake candidates: order, reasons, fall-through. */
class PostgresProviderTest {

  @Test
  void start_noneAvailable_messageListsEveryProviderAndReason() {
    PostgresUnavailableException e =
        assertThrows(
            PostgresUnavailableException.class,
            () ->
                PostgresProvider.start(
                    PostgresOptions.named("green"),
                    List.of(
                        PostgresProvider.Candidate.skipped("url", "TURNOUT_TEST_PG_URL is not set"),
                        PostgresProvider.Candidate.skipped("testcontainers", "no DOCKER_HOST"),
                        PostgresProvider.Candidate.skipped("local", "no initdb"),
                        failing("embedded", "boom"))));
    assertEquals(
        List.of("url", "testcontainers", "local", "embedded"), List.copyOf(e.reasons().keySet()));
    assertEquals("failed to start: boom", e.reasons().get("embedded"));
    assertTrue(
        e.getMessage()
            .startsWith(
                "No PostgreSQL for server 'green'; providers tried in order:\n"
                    + "  url: TURNOUT_TEST_PG_URL is not set\n"
                    + "  testcontainers: no DOCKER_HOST\n"
                    + "  local: no initdb\n"
                    + "  embedded: failed to start: boom\n"),
        e.getMessage());
  }

  @Test
  void start_firstAvailableWins_failingOneFallsThrough() {
    BaseServer fake = new PostgresUrlTest.FakeServer("127.0.0.1", 1);
    BaseServer got =
        PostgresProvider.start(
            PostgresOptions.named("x"),
            List.of(
                PostgresProvider.Candidate.skipped("url", "not set"),
                failing("local", "initdb crashed"),
                succeeding("embedded", fake)));
    assertSame(fake, got);
    got.close();
    assertTrue(got.isClosed());
  }

  @Test
  void start_urlFailing_isAnErrorNotAFallThrough() {
    PostgresUnavailableException e =
        assertThrows(
            PostgresUnavailableException.class,
            () ->
                PostgresProvider.start(
                    PostgresOptions.named("x"),
                    List.of(
                        failing("url", "connection refused"),
                        succeeding("local", new PostgresUrlTest.FakeServer("h", 1)))));
    assertEquals(Map.of("url", "failed: connection refused"), e.reasons());
  }

  @Test
  void stopAtExitByCaller_takesTheServerOutOfTheShutdownHook_notSharedOnes() {
    BaseServer mine =
        PostgresProvider.start(
            PostgresOptions.named("mine"),
            List.of(succeeding("local", new PostgresUrlTest.FakeServer("127.0.0.1", 1))));
    assertTrue(PostgresProvider.stopsAtExit(mine));
    PostgresProvider.stopAtExitByCaller(mine);
    assertFalse(PostgresProvider.stopsAtExit(mine));
    mine.close();
    assertTrue(mine.isClosed());

    BaseServer shared = new PostgresUrlTest.FakeServer("127.0.0.1", 2);
    shared.ownedByProvider();
    assertThrows(IllegalArgumentException.class, () -> PostgresProvider.stopAtExitByCaller(shared));
  }

  @Test
  void candidates_forcedProvider_skipsTheOthersWithReason() {
    List<PostgresProvider.Candidate> c =
        PostgresProvider.candidates(Map.of("TURNOUT_TEST_PG_PROVIDER", "embedded"));
    assertEquals(Optional.of("TURNOUT_TEST_PG_PROVIDER=embedded"), c.get(0).unavailable());
    assertEquals(Optional.of("TURNOUT_TEST_PG_PROVIDER=embedded"), c.get(2).unavailable());
    assertEquals("embedded", c.get(3).name());
    assertThrows(
        IllegalArgumentException.class,
        () -> PostgresProvider.candidates(Map.of("TURNOUT_TEST_PG_PROVIDER", "docker")));
  }

  @Test
  void candidates_noUrl_urlSkippedWithReason() {
    assertEquals(
        Optional.of("TURNOUT_TEST_PG_URL is not set"),
        PostgresProvider.candidates(Map.of()).get(0).unavailable());
  }

  @Test
  void dockerProbe_noHostNoSocket_skipsWithoutTestcontainers(
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path sock = tmp.resolve("docker.sock");
    assertEquals(
        Optional.of("no DOCKER_HOST and no " + sock + " (Docker CLI alone is not an engine)"),
        DockerProbe.cheapCheck(Map.of(), sock));
    assertEquals(
        Optional.empty(), DockerProbe.cheapCheck(Map.of("DOCKER_HOST", "tcp://h:2375"), sock));
    java.nio.file.Files.createFile(sock);
    assertEquals(Optional.empty(), DockerProbe.cheapCheck(Map.of(), sock));
  }

  @Test
  void options_validateName() {
    assertThrows(IllegalArgumentException.class, () -> PostgresOptions.named("has space"));
    assertEquals(
        PostgresOptions.DEFAULT,
        new PostgresOptions("shared", true, new java.util.LinkedHashMap<>()));
  }

  @Test
  void databaseName_sanitisedAndUnique() {
    String a = BaseServer.databaseName("My Test-DB!");
    String b = BaseServer.databaseName("My Test-DB!");
    assertTrue(a.matches("my_test_db__\\d+_[0-9a-f]{6}"), a);
    assertTrue(!a.equals(b));
    assertTrue(BaseServer.databaseName("1abc").startsWith("db_1abc_"));
    assertTrue(BaseServer.databaseName("x".repeat(100)).length() <= 40 + 1 + 10 + 1 + 6);
  }

  private static PostgresProvider.Candidate failing(String name, String message) {
    return new PostgresProvider.Candidate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<String> unavailable() {
        return Optional.empty();
      }

      @Override
      public BaseServer start(PostgresOptions options) {
        throw new IllegalStateException(message);
      }
    };
  }

  private static PostgresProvider.Candidate succeeding(String name, BaseServer server) {
    return new PostgresProvider.Candidate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<String> unavailable() {
        return Optional.empty();
      }

      @Override
      public BaseServer start(PostgresOptions options) {
        return server;
      }
    };
  }
}
