package io.turnout.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plan file tests and benchmarks give their {@code turnout serve} processes: free ports (0) for
 * the proxy and the admin API, an admin token, one backend ({@code primary}), a short shutdown
 * grace, and the migrations as YAML lines (see config/REFERENCE.md).
 */
public final class ServePlan {
  private ServePlan() {}

  /**
   * @param writtenBy who wrote it, for the file's first comment
   * @param backendUrl the libpq URL of the backend ({@link PostgresServer#url})
   * @param migrations the lines under {@code migrations:}, e.g. {@link #renameColumn}'s
   */
  public static String of(
      String writtenBy, String token, String backendUrl, int workerThreads, String... migrations) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "# Written by " + writtenBy + " (ports 0: free ones).",
                "listen: 127.0.0.1:0",
                "admin:",
                "  listen: 127.0.0.1:0",
                "  token: " + token,
                "backends:",
                "  primary: " + backendUrl,
                "proxy:",
                "  worker_threads: " + workerThreads,
                "  shutdown_grace: 1s",
                "migrations:"));
    lines.addAll(Arrays.asList(migrations));
    lines.add("");
    return String.join("\n", lines);
  }

  /**
   * The lines of one {@code rename_column} migration of {@code table}: {@code from} → {@code to}.
   */
  public static String[] renameColumn(String id, String table, String from, String to) {
    return new String[] {
      "  - id: " + id,
      "    kind: rename_column",
      "    table: " + table,
      "    from: " + from,
      "    to: " + to
    };
  }
}
