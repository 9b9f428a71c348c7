package io.turnout.proxy.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * A client (or backend) sent bytes that are not valid protocol. The session answers with an
 * ErrorResponse carrying {@link #sqlState()} and closes the connection, as PostgreSQL does; for the
 * few violations PostgreSQL only logs (COMMERROR: a startup packet whose length is no length, such
 * as a Terminate or an HTTP request where the startup packet belongs), {@link #answered()} is false
 * and the connection is closed without a word.
 */
public final class ProtocolViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final boolean answered;

  public ProtocolViolation(String message) {
    this(SqlState.PROTOCOL_VIOLATION, message);
  }

  public ProtocolViolation(String sqlState, String message) {
    this(sqlState, message, true);
  }

  private ProtocolViolation(String sqlState, String message, boolean answered) {
    super(message, null, false, false);
    this.sqlState = sqlState;
    this.answered = answered;
  }

  /** A violation PostgreSQL logs but does not answer: the connection just closes. */
  public static ProtocolViolation unanswered(String message) {
    return new ProtocolViolation(SqlState.PROTOCOL_VIOLATION, message, false);
  }

  /** False when PostgreSQL would close without sending an ErrorResponse. */
  public boolean answered() {
    return answered;
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
