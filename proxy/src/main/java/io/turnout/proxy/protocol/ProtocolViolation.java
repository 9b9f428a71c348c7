package io.turnout.proxy.protocol;

/**
 * A client (or backend) sent bytes that are not valid protocol. The session answers with an
 * ErrorResponse carrying {@link #sqlState()} and closes the connection, as PostgreSQL does.
 */
public final class ProtocolViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  public ProtocolViolation(String message) {
    this(SqlState.PROTOCOL_VIOLATION, message);
  }

  public ProtocolViolation(String sqlState, String message) {
    super(message, null, false, false);
    this.sqlState = sqlState;
  }

  public String sqlState() {
    return sqlState;
  }
}
