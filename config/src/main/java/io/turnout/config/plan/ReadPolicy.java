package io.turnout.config.plan;

import java.util.Optional;

/**
 * How reads routed to the new schema stay sticky. {@code keyColumn} is set only for {@link
 * Stickiness#KEY_COLUMN} (route by the value bound to {@code WHERE key = $1}).
 */
public record ReadPolicy(Stickiness sticky, Optional<String> keyColumn) {
  public static final ReadPolicy DEFAULT = new ReadPolicy(Stickiness.SESSION, Optional.empty());

  /** The sticky key a read is hashed by, as in the plan file's {@code reads.sticky}. */
  public enum Stickiness {
    SESSION,
    APPLICATION_NAME,
    ROLE,
    STICKY_KEY,
    KEY_COLUMN
  }
}
