package io.turnout.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Whether Testcontainers can work, decided cheaply first: without {@code DOCKER_HOST} and without a
 * docker socket we do not even load Testcontainers (its own probing takes seconds and logs errors).
 * Only when one of them exists do we ask Testcontainers.
 */
final class DockerProbe {

  static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");

  private DockerProbe() {}

  /** Empty when Docker looks available; else why not. */
  static Optional<String> unavailable(Map<String, String> env) {
    Optional<String> cheap = cheapCheck(env, DEFAULT_SOCKET);
    if (cheap.isPresent()) {
      return cheap;
    }
    try {
      boolean ok = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
      return ok ? Optional.empty() : Optional.of("Testcontainers found no working Docker engine");
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("Testcontainers could not probe Docker: " + e);
    }
  }

  static Optional<String> cheapCheck(Map<String, String> env, Path socket) {
    String host = env.get("DOCKER_HOST");
    if (host != null && !host.isBlank()) {
      return Optional.empty();
    }
    if (Files.exists(socket)) {
      return Optional.empty();
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && Files.exists(Path.of(runtime, "docker.sock"))) {
      return Optional.empty();
    }
    return Optional.of("no DOCKER_HOST and no " + socket + " (Docker CLI alone is not an engine)");
  }
}
