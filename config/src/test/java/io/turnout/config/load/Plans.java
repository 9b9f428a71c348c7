package io.turnout.config.load;

import io.turnout.config.TurnoutConfig;
import java.util.List;
import java.util.Map;

/** Loading plan text in tests: the config it gives, or its problems as printed. */
final class Plans {
  static final String SOURCE = "turnout.yaml";
  static final String BACKENDS =
      """
      backends:
        primary: postgresql://app@127.0.0.1:5432/app
      """;

  private static final ConfigLoader LOADER =
      new ConfigLoader(Map.of("TURNOUT_ADMIN_TOKEN", "s3cret", "EMPTY", ""));

  private Plans() {}

  static TurnoutConfig load(String yaml) throws ConfigException {
    return LOADER.load(yaml, SOURCE);
  }

  /** The problems a file has, each as printed: {@code turnout.yaml:L:C: path: message}. */
  static List<String> problems(String yaml) {
    try {
      LOADER.load(yaml, SOURCE);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but the file loaded");
  }
}
