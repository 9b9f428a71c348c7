package io.turnout.config.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code contract:}: how long a migration must hold {@code reads_new} or {@code writes_new}, with
 * no statement using the old names seen, before {@code contract} may drop the old columns.
 */
public record ContractPolicy(Duration soak) {
  public static final ContractPolicy DEFAULT = new ContractPolicy(Duration.ofHours(24));

  public ContractPolicy {
    Objects.requireNonNull(soak, "soak");
    if (soak.isNegative()) {
      throw new IllegalArgumentException("soak must not be negative, was " + soak);
    }
  }
}
