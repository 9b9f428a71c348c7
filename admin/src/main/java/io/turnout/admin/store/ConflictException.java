package io.turnout.admin.store;

/**
 * A compare-and-set lost: the migration changed between the read its decision was based on and the
 * write. Nothing was written; the caller re-reads and decides again (or tells the operator).
 */
public final class ConflictException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String migrationId;
  private final long expectedVersion;
  private final long actualVersion;

  public ConflictException(
      String migrationId, long expectedVersion, long actualVersion, String by) {
    super(
        "migration "
            + migrationId
            + " changed meanwhile (expected version "
            + expectedVersion
            + ", now "
            + actualVersion
            + (by == null ? "" : ", by " + by)
            + "); nothing was changed: look at turnout status and try again",
        null,
        false,
        false);
    this.migrationId = migrationId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  public String migrationId() {
    return migrationId;
  }

  public long expectedVersion() {
    return expectedVersion;
  }

  public long actualVersion() {
    return actualVersion;
  }
}
