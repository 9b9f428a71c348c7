package io.turnout.admin.ddl;

/** What running one {@link DdlStep} did. */
public enum StepOutcome {
  /** The statement ran. */
  APPLIED,
  /** Its effect was already in place (its guard returned a row); nothing ran, no lock taken. */
  SKIPPED,
  /** An INVALID index of its name, left by a failed concurrent build, was dropped and rebuilt. */
  REBUILT
}
