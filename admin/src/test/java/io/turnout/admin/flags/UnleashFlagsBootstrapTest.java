package io.turnout.admin.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.FlagSettings;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real {@code DefaultUnleash}, started offline from a bootstrap file, its server unreachable
 * (port 1 refuses at once, so nothing waits on it).
 */
class UnleashFlagsBootstrapTest {
  private static final String UNREACHABLE = "http://127.0.0.1:1/api";
  private static final String TOGGLE = "turnout.split-name.reads";
  private static final Migration MIGRATION = Fixtures.migration("split-name", Optional.of(TOGGLE));

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"userId", "default"})
  void readsNew_bootstrappedFlexibleRolloutAt30_enablesExactlyTheKeysInOurBuckets1To30(
      String stickiness) throws IOException {
    Path bootstrap = write(Fixtures.flexibleRollout(TOGGLE, 30, stickiness, MIGRATION.id()));
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    List<String> keys = Fixtures.keys();

    try (UnleashFlags flags = UnleashFlags.connect(settings(Optional.of(bootstrap)))) {
      List<String> enabled =
          keys.stream().filter(k -> flags.readsNew(MIGRATION, state, k)).toList();
      List<String> ours =
          keys.stream().filter(k -> StickyBucket.of(MIGRATION.id(), k) <= 30).toList();
      assertThat(enabled).isEqualTo(ours);
      assertThat((double) enabled.size() / keys.size()).isBetween(0.27, 0.33);
    }
  }

  @Test
  void readsNew_bootstrappedRolloutAbove_lifecycleReadPercent_isCappedByTheLifecycle()
      throws IOException {
    Path bootstrap = write(Fixtures.flexibleRollout(TOGGLE, 30, "userId", MIGRATION.id()));
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS, 10);

    try (UnleashFlags flags = UnleashFlags.connect(settings(Optional.of(bootstrap)))) {
      for (String key : Fixtures.keys().subList(0, 2_000)) {
        assertThat(flags.readsNew(MIGRATION, state, key))
            .as("key %s", key)
            .isEqualTo(StickyBucket.of(MIGRATION.id(), key) <= 10);
      }
    }
  }

  @Test
  void describe_beforeAnyFetchSucceeded_namesServerAndBootstrapFile() throws IOException {
    Path bootstrap = write(Fixtures.flexibleRollout(TOGGLE, 30, "userId", MIGRATION.id()));
    try (UnleashFlags flags = UnleashFlags.connect(settings(Optional.of(bootstrap)))) {
      assertThat(flags.describe())
          .startsWith("unleash " + UNREACHABLE + ": ")
          .endsWith("serving bootstrap file " + bootstrap + " (1 toggles)");
    }
  }

  @Test
  void connect_bootstrapFileMissing_failsNamingTheFile() {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> UnleashFlags.connect(settings(Optional.of(missing))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining(UNREACHABLE);
  }

  @Test
  void readsNew_noBootstrapAndNoServer_servesEveryReadFromOld() {
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    try (UnleashFlags flags = UnleashFlags.connect(settings(Optional.empty()))) {
      assertThat(Fixtures.keys().subList(0, 500))
          .noneMatch(key -> flags.readsNew(MIGRATION, state, key));
    }
  }

  @Test
  void create_unleashProvider_startsUnleashFlags() throws IOException {
    Path bootstrap = write(Fixtures.flexibleRollout(TOGGLE, 100, "userId", MIGRATION.id()));
    FlagSettings settings =
        new FlagSettings(
            FlagSettings.Provider.UNLEASH, Optional.of(settings(Optional.of(bootstrap))));
    try (FlagProvider flags = FlagProviders.create(settings)) {
      assertThat(flags).isInstanceOf(UnleashFlags.class);
      assertThat(flags.readsNew(MIGRATION, Fixtures.state(MIGRATION, Phase.READS_NEW, 0), "u"))
          .isTrue();
    }
  }

  @Test
  void create_defaults_isBuiltin() {
    assertThat(FlagProviders.create(FlagSettings.DEFAULTS)).isSameAs(BuiltinFlags.INSTANCE);
  }

  /**
   * A fresh app name per test: the client keeps a backup of its last fetch under that name in
   * java.io.tmpdir and prefers it to the bootstrap file.
   */
  private static FlagSettings.Unleash settings(Optional<Path> bootstrap) {
    return new FlagSettings.Unleash(
        UNREACHABLE,
        Optional.of("*:development.test-token"),
        "turnout-test-" + UUID.randomUUID(),
        bootstrap,
        Duration.ofSeconds(1));
  }

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("toggles.json"), json, StandardCharsets.UTF_8);
  }
}
