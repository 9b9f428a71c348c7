package io.turnout.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion, its output appended to a log file that failures quote. */
final class Exec {

  private Exec() {}

  static void run(List<String> command, Path log, Duration timeout) throws IOException {
    Files.writeString(
        log,
        "$ " + String.join(" ", command) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    // Output goes to a file, not a pipe: pg_ctl start leaves a postmaster behind, and a
    // pipe it inherited would never reach end-of-file.
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command, e);
    }
    if (!done) {
      p.destroyForcibly();
      throw new IOException(
          "timed out after "
              + timeout.toMillis()
              + " ms: "
              + String.join(" ", command)
              + "\n"
              + tail(log));
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "exit code " + p.exitValue() + ": " + String.join(" ", command) + "\n" + tail(log));
    }
  }

  /** Exit code of a quick probe command, or -1 when it cannot run at all. */
  static int probe(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The last lines of a log, for error messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    } catch (IOException e) {
      return "(no log " + log + ": " + e + ")";
    }
  }
}
