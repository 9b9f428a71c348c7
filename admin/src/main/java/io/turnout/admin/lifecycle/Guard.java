package io.turnout.admin.lifecycle;

import java.util.Locale;

/** The rule that refused a transition; its name is part of every refusal (API, CLI, logs). */
public enum Guard {
  /** The action is not defined from the migration's current phase. */
  PHASE,
  /** Dual-write needs every new column of the plan on the table (expand finished). */
  EXPANDED_COLUMNS,
  /** Reads above 0 need the last verify to have found drift 0. */
  VERIFIED,
  /** Raising reads needs the shadow mismatch rate at most the plan's {@code max_mismatch_rate}. */
  SHADOW_MISMATCH_RATE,
  /** Contract needs reads_new/writes_new held for the plan's {@code contract.soak}. */
  SOAK,
  /** Contract needs no statement using the old names seen for the soak time. */
  OLD_NAMES_IN_USE,
  /** Contract needs {@code --confirm MIGRATION_ID}. */
  CONFIRM;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
