package io.turnout.proxy.protocol;

import io.netty.handler.codec.DecoderException;

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

  /** The FATAL ErrorResponse PostgreSQL would send for this violation. */
  public ErrorResponse toErrorResponse() {
    return ErrorResponse.fatal(sqlState, getMessage());
  }

  /** What a handler caught, unwrapped from the DecoderException Netty puts around decode errors. */
  public static Throwable unwrap(Throwable caught) {
    return caught instanceof DecoderException && caught.getCause() != null
        ? caught.getCause()
        : caught;
  }
}
