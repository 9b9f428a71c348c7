package io.turnout.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The admin API (HTTP control plane and {@code /metrics}): where it listens and the bearer token it
 * requires. The token is never printed by {@link #toString()}.
 */
public record AdminSettings(HostPort listen, Optional<String> token) {
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);
  public static final AdminSettings DEFAULTS = new AdminSettings(DEFAULT_LISTEN, Optional.empty());

  public AdminSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(token, "token");
  }

  @Override
  public String toString() {
    return "AdminSettings[listen="
        + listen
        + ", token="
        + (token.isPresent() ? "***" : "none")
        + "]";
  }
}
