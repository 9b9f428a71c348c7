package io.turnout.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code flags:}: who decides, within what the lifecycle allows, which sticky keys read from the
 * new schema. {@link Provider#BUILTIN} (the default) hashes the key into 1..100 and compares with
 * the migration's read percentage; {@link Provider#UNLEASH} also asks an Unleash server's toggle
 * (the migration's {@code reads.toggle}). Turnout's own phase and percentage are always the
 * ceiling, so a rollback wins at once whatever the provider says.
 */
public record FlagSettings(Provider provider, Optional<Unleash> unleash) {
  public static final FlagSettings DEFAULTS = new FlagSettings(Provider.BUILTIN, Optional.empty());

  public FlagSettings {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(unleash, "unleash");
    if (provider == Provider.UNLEASH && unleash.isEmpty()) {
      throw new IllegalArgumentException("provider unleash needs flags.unleash settings");
    }
  }

  public enum Provider {
    BUILTIN,
    UNLEASH
  }

  /**
   * {@code flags.unleash}: the server's API URL, its client token, this application's name in
   * Unleash, a bootstrap file (toggles JSON as the server serves it) for an offline start, and how
   * often the client polls.
   */
  public record Unleash(
      String url,
      Optional<String> token,
      String appName,
      Optional<Path> bootstrapFile,
      Duration fetchInterval) {
    public static final String DEFAULT_APP_NAME = "turnout";
    public static final Duration DEFAULT_FETCH_INTERVAL = Duration.ofSeconds(15);

    public Unleash {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(appName, "appName");
      Objects.requireNonNull(bootstrapFile, "bootstrapFile");
      Objects.requireNonNull(fetchInterval, "fetchInterval");
    }

    @Override
    public String toString() {
      return "Unleash[url="
          + url
          + ", token="
          + (token.isPresent() ? "***" : "none")
          + ", appName="
          + appName
          + ", bootstrapFile="
          + bootstrapFile
          + ", fetchInterval="
          + fetchInterval
          + "]";
    }
  }
}
