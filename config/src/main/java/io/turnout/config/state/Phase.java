package io.turnout.config.state;

/**
 * Lifecycle of one migration, in order. Any phase before {@link #CONTRACTED} can be rolled back.
 */
public enum Phase {
  PLANNED,
  EXPANDED,
  DUAL_WRITE,
  BACKFILLED,
  VERIFIED,
  READS,
  READS_NEW,
  WRITES_NEW,
  CONTRACTED;

  /** True when writes must keep old and new columns in sync. */
  public boolean dualWrites() {
    return compareTo(DUAL_WRITE) >= 0 && this != CONTRACTED;
  }

  /** True when some reads may be served from the new schema. */
  public boolean readsMayUseNew() {
    return compareTo(READS) >= 0 && this != CONTRACTED;
  }
}
