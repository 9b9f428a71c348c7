package io.turnout.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** No provider could start PostgreSQL; the message lists every provider and why it was skipped. */
public final class PostgresUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final transient Map<String, String> reasons;

  PostgresUnavailableException(String server, Map<String, String> reasons, Throwable cause) {
    super(message(server, reasons), cause);
    this.reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
  }

  /** Provider name to the reason it was skipped or failed, in the order tried. */
  public Map<String, String> reasons() {
    return reasons;
  }

  private static String message(String server, Map<String, String> reasons) {
    StringBuilder sb =
        new StringBuilder("No PostgreSQL for server '")
            .append(server)
            .append("'; providers tried in order:");
    reasons.forEach((p, why) -> sb.append("\n  ").append(p).append(": ").append(why));
    sb.append("\nSet ")
        .append(PostgresProvider.URL_ENV)
        .append("=postgresql://user:pass@host:port/db, install the ")
        .append(
            "PostgreSQL server binaries (or set PG_BIN), or run where Docker or user namespaces work.");
    return sb.toString();
  }
}
