package io.turnout.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.turnout.proxy.cli.Main;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo jar runs the product's command line plus {@code demo}. */
class DemoMainTest {

  @Test
  void commandLine_isTheProductsPlusDemo() {
    List<String> expected = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
    expected.add("demo");
    assertEquals(expected, List.copyOf(DemoMain.commandLine().getSubcommands().keySet()));
  }
}
