package io.turnout.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The admin API (HTTP control plane and {@code /metrics}): whether it runs, where it listens, the
 * bearer token every change needs, whether reads ({@code GET}) are open without it, and optional
 * TLS. The token is never printed by {@link #toString()}.
 *
 * @param enabled true when the plan file has an {@code admin:} section (or a command line asks for
 *     the API); a plan without one runs no admin API
 * @param openReads {@code admin.open_reads}: GETs need no token (changes always do)
 */
public record AdminSettings(
    boolean enabled,
    HostPort listen,
    Optional<String> token,
    boolean openReads,
    Optional<TlsSettings> tls) {
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);

  /** No {@code admin:} section: no admin API. */
  public static final AdminSettings DEFAULTS =
      new AdminSettings(false, DEFAULT_LISTEN, Optional.empty(), false, Optional.empty());

  public AdminSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tls, "tls");
  }

  /** An enabled API on {@code listen} with {@code token}, reads closed, no TLS. */
  public AdminSettings(HostPort listen, Optional<String> token) {
    this(true, listen, token, false, Optional.empty());
  }

  @Override
  public String toString() {
    return "AdminSettings[enabled="
        + enabled
        + ", listen="
        + listen
        + ", token="
        + (token.isPresent() ? "***" : "none")
        + ", openReads="
        + openReads
        + ", tls="
        + tls.isPresent()
        + "]";
  }
}
