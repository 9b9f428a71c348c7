package io.turnout.router;

import java.util.Objects;

/**
 * Answer the statement with an ErrorResponse instead of running it. The message names the
 * migration, its phase and the table, and says what to do instead.
 *
 * @param sqlstate five-character SQLSTATE, e.g. {@code 0A000} (feature_not_supported)
 * @param message the primary message, fit to show to an application developer
 * @see <a href="https://www.postgresql.org/docs/current/errcodes-appendix.html">PostgreSQL Error
 *     Codes</a>
 */
public record Reject(String sqlstate, String message) implements Decision {
  /** feature_not_supported: what Turnout answers for a write it cannot dual-write. */
  public static final String FEATURE_NOT_SUPPORTED = "0A000";

  public Reject {
    Objects.requireNonNull(sqlstate, "sqlstate");
    Objects.requireNonNull(message, "message");
    if (sqlstate.length() != 5) {
      throw new IllegalArgumentException("SQLSTATE must have 5 characters, was '" + sqlstate + "'");
    }
  }
}
