package io.turnout.proxy.protocol;

/**
 * SQLSTATE codes the proxy raises itself, with PostgreSQL's condition names.
 *
 * @see <a href="https://www.postgresql.org/docs/current/errcodes-appendix.html">Error codes</a>
 */
public final class SqlState {
  public static final String CONNECTION_FAILURE = "08006";
  public static final String PROTOCOL_VIOLATION = "08P01";
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  public static final String TOO_MANY_CONNECTIONS = "53300";
  public static final String ADMIN_SHUTDOWN = "57P01";
  public static final String CANNOT_CONNECT_NOW = "57P03";
  public static final String IDLE_IN_TRANSACTION_TIMEOUT = "25P03";
  public static final String IDLE_SESSION_TIMEOUT = "57P05";
  public static final String INTERNAL_ERROR = "XX000";
  public static final String PROGRAM_LIMIT_EXCEEDED = "54000";

  private SqlState() {}
}
