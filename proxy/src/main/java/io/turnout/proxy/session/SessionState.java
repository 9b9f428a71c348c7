package io.turnout.proxy.session;

/**
 * Where a client conversation stands. Transaction states come from ReadyForQuery's status byte,
 * COPY states from CopyInResponse / CopyOutResponse.
 */
public enum SessionState {
  STARTUP,
  AUTHENTICATING,
  READY,
  IN_TRANSACTION,
  FAILED_TRANSACTION,
  COPY_IN,
  COPY_OUT,
  CLOSED;

  /** Inside a transaction block, healthy or failed. */
  boolean inTransaction() {
    return this == IN_TRANSACTION || this == FAILED_TRANSACTION;
  }

  /** Startup and authentication are over (and the session not closed). */
  boolean pastStartup() {
    return this != STARTUP && this != AUTHENTICATING && this != CLOSED;
  }

  /** In COPY, data flowing one way until CopyDone. */
  boolean copying() {
    return this == COPY_IN || this == COPY_OUT;
  }

  static SessionState fromTransactionStatus(byte status) {
    switch (status) {
      case 'T':
        return IN_TRANSACTION;
      case 'E':
        return FAILED_TRANSACTION;
      default:
        return READY;
    }
  }
}
