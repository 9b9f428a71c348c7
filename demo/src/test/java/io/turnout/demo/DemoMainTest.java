package io.turnout.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.turnout.proxy.cli.Main;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo jar runs the product's command line plus {@code demo}. */
class DemoMainTest {

  @Test
  void commandLine_isTheProductsPlusDemo() {
    List<String> expected = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
    expected.add("demo");
    assertEquals(expected, List.copyOf(DemoMain.commandLine().getSubcommands().keySet()));
  }

  @Test
  void demo_adminPort_defaultsToNone_andParses() {
    assertThat(demoOptions().adminPort).isNull();
    assertThat(demoOptions("--admin-port", "0").adminPort).isZero();
    assertThat(demoOptions("--admin-port", "9191").adminPort).isEqualTo(9191);
    assertThat(DemoMain.commandLine().getSubcommands().get("demo").getUsageMessage())
        .contains("--admin-port=PORT");
  }

  @Test
  void adminPort_defaultIsTheClisDefaultOrAnyFree_givenIsExact() {
    assertThat(DemoCommand.AdminPort.DEFAULT).isEqualTo(new DemoCommand.AdminPort(9090, true));
    assertThat(DemoCommand.AdminPort.exactly(0)).isEqualTo(new DemoCommand.AdminPort(0, false));
    assertThatThrownBy(() -> DemoCommand.AdminPort.exactly(65_536))
        .hasMessage("--admin-port must be 0..65535, was 65536");
    assertThatThrownBy(() -> DemoCommand.AdminPort.exactly(-1))
        .hasMessage("--admin-port must be 0..65535, was -1");
  }

  @Test
  void newToken_is256RandomBitsInHex() {
    String a = DemoCommand.newToken();
    String b = DemoCommand.newToken();
    assertThat(a).matches("[0-9a-f]{64}");
    assertThat(b).matches("[0-9a-f]{64}").isNotEqualTo(a);
  }

  @Test
  void journey_isTheFirstCommandsInTheClisArgumentOrder() {
    assertEquals(
        List.of(
            "export TURNOUT_ADMIN_URL=http://127.0.0.1:9090 TURNOUT_ADMIN_TOKEN=t0k",
            "./turnout status",
            "./turnout expand rename-email --dry-run",
            "./turnout expand rename-email",
            "./turnout dual-write rename-email on",
            "./turnout backfill rename-email",
            "./turnout verify rename-email"),
        DemoCommand.journey("http://127.0.0.1:9090", "t0k", "rename-email"));
  }

  @Test
  void journey_dualWrite_parsesAsTheCliReadsIt() {
    // dual-write takes MIGRATION then on|off; the banner must not print them the other way round.
    CommandLine.ParseResult parsed =
        DemoMain.commandLine().parseArgs("dual-write", "rename-email", "on");
    assertThat(parsed.subcommand().matchedPositionals())
        .extracting(p -> p.getValue().toString())
        .containsExactly("rename-email", "on");
  }

  private static DemoCommand demoOptions(String... args) {
    CommandLine cl = DemoMain.commandLine();
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    cl.parseArgs(all);
    return (DemoCommand) cl.getSubcommands().get("demo").getCommand();
  }
}
