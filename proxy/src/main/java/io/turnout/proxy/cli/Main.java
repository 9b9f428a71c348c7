package io.turnout.proxy.cli;

import io.turnout.admin.cli.CliFailure;
import io.turnout.admin.cli.MigrationCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code turnout} command. Each subcommand is its own class. */
@Command(
    name = "turnout",
    mixinStandardHelpOptions = true,
    version = "turnout 0.1.0-SNAPSHOT",
    description = "Online schema change proxy for PostgreSQL.",
    subcommands = {ServeCommand.class, ExplainCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests and by the demo jar's main class. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    for (Class<?> command : MigrationCommands.ALL) {
      cl.addSubcommand(command);
    }
    // A refused command exits non-zero with a one-line reason, not a stack trace.
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("turnout: " + ex.getMessage());
          if (ex instanceof CliFailure failure) {
            return failure.exitCode();
          }
          return ex instanceof UsageFailure ? 2 : 1;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command that cannot start because of what the operator gave it (exit code 2). */
  static final class UsageFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageFailure(String message) {
      super(message, null, false, false);
    }
  }
}
