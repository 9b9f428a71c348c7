package io.turnout.proxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a {@code turnout} command in-process against an admin API, as an operator would. */
final class AdminCli {
  private AdminCli() {}

  record Result(int exit, String out, String err) {}

  /** {@code turnout ARGS --admin ADMIN --token TOKEN}, with its exit code and output. */
  static Result run(String admin, String token, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--admin";
    all[args.length + 1] = admin;
    all[args.length + 2] = "--token";
    all[args.length + 3] = token;
    int exit = cl.execute(all);
    return new Result(exit, out.toString(), err.toString());
  }
}
