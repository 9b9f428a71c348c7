package io.turnout.admin.flags;

import io.turnout.config.FlagSettings;

/** Builds the {@link FlagProvider} that {@code flags:} asks for. */
public final class FlagProviders {
  private FlagProviders() {}

  /**
   * {@link BuiltinFlags} or a started {@link UnleashFlags}; the caller closes it.
   *
   * @throws IllegalArgumentException if the Unleash settings cannot be used (see {@link
   *     UnleashFlags#connect})
   */
  public static FlagProvider create(FlagSettings settings) {
    switch (settings.provider()) {
      case BUILTIN:
        return BuiltinFlags.INSTANCE;
      case UNLEASH:
        // FlagSettings guarantees the settings are present for this provider.
        return UnleashFlags.connect(settings.unleash().orElseThrow());
      default:
        throw new IllegalArgumentException("unknown flags.provider " + settings.provider());
    }
  }
}
