package io.turnout.admin.lifecycle;

import java.util.Objects;

/** What {@link Lifecycle#decide} concludes: a new record, no change needed, or a refusal. */
public sealed interface Decision {

  /**
   * The transition is allowed; {@code next} is the record to store (its version is still the
   * current one: the store assigns the next).
   */
  record Allowed(MigrationRecord next, String reason) implements Decision {
    public Allowed {
      Objects.requireNonNull(next, "next");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The migration is already where the request would put it: nothing to store or audit. */
  record Unchanged(String reason) implements Decision {}

  /**
   * Refused by {@code guard}. {@code message} is the one line an operator reads; {@code measured}
   * and {@code limit} are the numbers behind it (empty strings when the guard has none).
   */
  record Refused(Guard guard, String message, String measured, String limit) implements Decision {
    public Refused {
      Objects.requireNonNull(guard, "guard");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(measured, "measured");
      Objects.requireNonNull(limit, "limit");
    }
  }
}
