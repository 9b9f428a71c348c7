package io.turnout.admin.control;

import io.turnout.admin.lifecycle.Decision.Refused;

/** A guard refused a transition; nothing was changed. Carries the guard and its numbers. */
public final class TransitionRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Refused refusal;

  public TransitionRefusedException(String migrationId, Refused refusal) {
    super(migrationId + ": " + refusal.message(), null, false, false);
    this.refusal = refusal;
  }

  public Refused refusal() {
    return refusal;
  }
}
