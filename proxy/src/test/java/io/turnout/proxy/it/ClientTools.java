package io.turnout.proxy.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.testkit.PostgresServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** PostgreSQL's command-line clients (psql, pgbench), run as child processes. */
final class ClientTools {
  private ClientTools() {}

  /** What a finished process left: exit code, stdout, stderr. */
  record Run(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  /**
   * The tool from the server's binDir, else from PATH; the test is skipped (with the reason) when
   * neither has it, since these tests are about real clients and there is no substitute.
   */
  static Path require(PostgresServer server, String tool) {
    Optional<Path> found = server.binDir().map(d -> d.resolve(tool)).filter(Files::isExecutable);
    if (found.isEmpty()) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(dir, tool);
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          found = Optional.of(p);
          break;
        }
      }
    }
    assumeTrue(
        found.isPresent(),
        tool + " not found in the server's binDir " + server.binDir() + " nor on PATH");
    return found.get();
  }

  /**
   * Runs a client against host:port as the superuser, with a clean libpq environment (no ~/.psqlrc,
   * no PG* variables from the caller), and waits up to {@code timeoutSeconds}.
   */
  static Run run(
      PostgresServer server,
      List<String> command,
      Map<String, String> env,
      Path workDir,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("PGUSER", server.superuser());
    if (server.superuserPassword() != null) {
      pb.environment().put("PGPASSWORD", server.superuserPassword());
    }
    pb.environment().put("PGCONNECT_TIMEOUT", "10");
    pb.environment().put("PSQLRC", "/dev/null");
    pb.environment().put("LC_ALL", "C");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          command
              + " did not finish within "
              + timeoutSeconds
              + " s; stderr so far:\n"
              + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
