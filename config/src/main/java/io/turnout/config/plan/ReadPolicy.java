package io.turnout.config.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * How reads routed to the new schema stay sticky. {@code keyColumn} is set only for {@link
 * Stickiness#KEY_COLUMN} (route by the value bound to {@code WHERE key = $1}). {@code toggle} names
 * the Unleash toggle consulted when {@code flags.provider} is {@code unleash}.
 */
public record ReadPolicy(Stickiness sticky, Optional<String> keyColumn, Optional<String> toggle) {
  public static final ReadPolicy DEFAULT =
      new ReadPolicy(Stickiness.SESSION, Optional.empty(), Optional.empty());

  public ReadPolicy {
    Objects.requireNonNull(sticky, "sticky");
    Objects.requireNonNull(keyColumn, "keyColumn");
    Objects.requireNonNull(toggle, "toggle");
  }

  public ReadPolicy(Stickiness sticky, Optional<String> keyColumn) {
    this(sticky, keyColumn, Optional.empty());
  }

  /** The sticky key a read is hashed by, as in the plan file's {@code reads.sticky}. */
  public enum Stickiness {
    SESSION,
    APPLICATION_NAME,
    ROLE,
    STICKY_KEY,
    KEY_COLUMN
  }
}
