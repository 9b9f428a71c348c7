package io.turnout.proxy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code turnout demo}: an embedded PostgreSQL with sample data, and Turnout in front of it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a PostgreSQL of its own with sample data and Turnout on 127.0.0.1:6432.")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("demo: not built yet");
  }
}
