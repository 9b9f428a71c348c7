package io.turnout.proxy.routing;

/**
 * The statement Turnout sends PostgreSQL in place of one it refuses: a {@code DO} block that raises
 * the refusal's SQLSTATE and message. PostgreSQL itself then fails the statement, so everything
 * that follows is exactly what a failing statement causes: an open transaction is aborted (a later
 * COMMIT rolls back), the rest of a multi-statement Query is skipped, and the client receives a
 * real ErrorResponse followed by ReadyForQuery. Answering locally instead would leave the server's
 * transaction healthy and let the client commit the writes before the refused one.
 */
final class RejectStatement {
  private RejectStatement() {}

  static String sql(String sqlstate, String message) {
    if (!sqlstate.matches("[0-9A-Z]{5}")) {
      throw new IllegalArgumentException("not a SQLSTATE: " + sqlstate);
    }
    // E'' literals mean the same whatever standard_conforming_strings is set to.
    return "DO $turnout_reject$ BEGIN RAISE EXCEPTION USING ERRCODE = '"
        + sqlstate
        + "', MESSAGE = "
        + escapeLiteral(message)
        + "; END $turnout_reject$";
  }

  static String escapeLiteral(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8).append("E'");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\'' -> b.append("''");
        case '\\' -> b.append("\\\\");
        // The dollar-quoted DO body ends at the first $turnout_reject$, wherever it stands, so
        // no '$' may appear in it: E'' spells it as an escape.
        case '$' -> b.append("\\x24");
        case '\0' -> b.append("\\\\0"); // NUL cannot travel in a Query; show it instead
        default -> b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
