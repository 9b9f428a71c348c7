package io.turnout.admin.lifecycle;

import java.util.Objects;
import java.util.Optional;

/**
 * One transition request: the action, its percentage (for {@link Action#READS} and {@link
 * Action#SHADOW}, 0..100), and the confirmation {@link Action#CONTRACT} needs.
 */
public record Request(Action action, int percent, Optional<String> confirm) {
  public Request {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(confirm, "confirm");
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0..100, was " + percent);
    }
  }

  public static Request of(Action action) {
    return new Request(action, 0, Optional.empty());
  }

  public static Request percent(Action action, int percent) {
    return new Request(action, percent, Optional.empty());
  }

  public static Request contract(String confirm) {
    return new Request(Action.CONTRACT, 0, Optional.ofNullable(confirm));
  }
}
