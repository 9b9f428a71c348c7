package io.turnout.admin.control;

/**
 * A job was not started: one of the same migration is already running on this instance, or every
 * worker is busy and the bounded queue is full. Nothing was done.
 */
public final class JobRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why: the operator waits for the running job, or retries later. */
  public enum Reason {
    ALREADY_RUNNING,
    QUEUE_FULL
  }

  private final Reason reason;

  public JobRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
