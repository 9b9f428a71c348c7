package io.turnout.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The product's command line; {@code demo} lives in the demo module's jar. */
class MainTest {

  @Test
  void commandLine_subcommands_haveNoDemo() {
    assertEquals(
        List.of(
            "serve",
            "explain",
            "status",
            "expand",
            "dual-write",
            "backfill",
            "verify",
            "shadow",
            "reads",
            "writes-new",
            "rollback",
            "usage",
            "contract",
            "audit",
            "job"),
        List.copyOf(Main.commandLine().getSubcommands().keySet()));
  }

  @Test
  void help_everySubcommand_rendersWithoutPicocliWarnings() {
    // A bare '%' in a description is a format specifier to picocli: `turnout --help` then
    // printed "[picocli WARN] Could not format ..." for status, shadow and reads.
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.getUsageMessage();
      for (CommandLine sub : cli.getSubcommands().values()) {
        sub.getUsageMessage();
      }
    } finally {
      System.setErr(err);
    }
    assertEquals("", captured.toString(StandardCharsets.UTF_8));
  }
}
