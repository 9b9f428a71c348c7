package io.turnout.demo;

import io.turnout.proxy.cli.Main;
import picocli.CommandLine;

/**
 * Main class of {@code turnout-demo.jar}: the {@code turnout} command of the product jar plus
 * {@code turnout demo}, which needs the testkit's PostgreSQL and so stays out of {@code
 * turnout.jar}.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** {@link Main#commandLine()} with the {@code demo} subcommand added. */
  public static CommandLine commandLine() {
    return Main.commandLine().addSubcommand("demo", new DemoCommand());
  }
}
