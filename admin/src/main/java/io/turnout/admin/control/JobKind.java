package io.turnout.admin.control;

import java.util.Locale;
import java.util.Optional;

/** The long operations of the lifecycle, each ending in its transition when it succeeds. */
public enum JobKind {
  /** The expand DDL (new columns, defaults, index copies), then {@code expanded}. */
  EXPAND,
  /** A backfill pass, the deferred NOT NULL check, then {@code backfilled}. */
  BACKFILL,
  /** A full verify, then {@code verified} with its drift. */
  VERIFY,
  /** {@code contracted}, then the contract DDL (drop the old columns). */
  CONTRACT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<JobKind> ofWireName(String name) {
    for (JobKind k : values()) {
      if (k.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
