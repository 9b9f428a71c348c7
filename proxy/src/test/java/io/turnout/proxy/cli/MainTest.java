package io.turnout.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

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
}
