package io.turnout.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo jar runs the product's command line plus {@code demo}. */
class DemoMainTest {

  @Test
  void commandLine_isTheProductsPlusDemo() {
    assertEquals(
        List.of(
            "serve",
            "explain",
            "status",
            "dual-write",
            "shadow",
            "reads",
            "writes-new",
            "rollback",
            "audit",
            "demo"),
        List.copyOf(DemoMain.commandLine().getSubcommands().keySet()));
  }
}
