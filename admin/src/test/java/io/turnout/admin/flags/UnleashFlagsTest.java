package io.turnout.admin.flags;

import static org.assertj.core.api.Assertions.assertThat;

import io.getunleash.FakeUnleash;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UnleashFlagsTest {
  private static final String TOGGLE = "turnout.split-name.reads";
  private static final Migration MIGRATION = Fixtures.migration("split-name", Optional.of(TOGGLE));
  private static final List<String> KEYS = Fixtures.keys().subList(0, 2_000);

  private final FakeUnleash unleash = new FakeUnleash();
  private final UnleashFlags flags = new UnleashFlags(unleash);

  @AfterEach
  void close() {
    flags.close();
  }

  @Test
  void readsNew_toggleOn_allReadsNewPhase_isTrueForEveryKey() {
    unleash.enable(TOGGLE);
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    assertThat(KEYS).allMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @Test
  void readsNew_toggleOff_isFalseEvenWhenTheLifecycleSaysAllNew() {
    unleash.disable(TOGGLE);
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    assertThat(KEYS).noneMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @Test
  void readsNew_unknownToggle_isFalse() {
    MigrationState state = Fixtures.state(MIGRATION, Phase.WRITES_NEW, 0);
    assertThat(KEYS).noneMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"PLANNED", "EXPANDED", "DUAL_WRITE", "BACKFILLED", "VERIFIED", "CONTRACTED"})
  void readsNew_toggleOn_phaseWithoutReadsOnNew_isFalse(Phase phase) {
    unleash.enableAll();
    MigrationState state = Fixtures.state(MIGRATION, phase, 100);
    assertThat(KEYS).noneMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @Test
  void readsNew_toggleOn_reads10Percent_isTrueExactlyForKeysInBuckets1To10() {
    unleash.enable(TOGGLE);
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS, 10);
    for (String key : KEYS) {
      assertThat(flags.readsNew(MIGRATION, state, key))
          .as("key %s", key)
          .isEqualTo(StickyBucket.of(MIGRATION.id(), key) <= 10);
    }
  }

  @Test
  void readsNew_toggleOnForSomeUsers_isTrueOnlyForThoseWithinTheCeiling() {
    Set<String> chosen = Set.of("user-1", "user-2", "user-3", "user-4", "user-5");
    unleash.conditionallyEnable(
        context -> context.getUserId().map(chosen::contains).orElse(false), TOGGLE);
    MigrationState all = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    MigrationState half = Fixtures.state(MIGRATION, Phase.READS, 50);

    assertThat(KEYS.stream().filter(key -> flags.readsNew(MIGRATION, all, key)))
        .containsExactlyInAnyOrderElementsOf(chosen);
    assertThat(KEYS.stream().filter(key -> flags.readsNew(MIGRATION, half, key)))
        .containsExactlyInAnyOrderElementsOf(
            chosen.stream().filter(key -> StickyBucket.of(MIGRATION.id(), key) <= 50).toList());
  }

  @Test
  void readsNew_stickyKeyIsSentAsSessionIdToo() {
    unleash.conditionallyEnable(
        context -> context.getSessionId().filter("user-7"::equals).isPresent(), TOGGLE);
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS_NEW, 0);
    assertThat(flags.readsNew(MIGRATION, state, "user-7")).isTrue();
    assertThat(flags.readsNew(MIGRATION, state, "user-8")).isFalse();
  }

  @Test
  void readsNew_migrationWithoutToggle_followsTheBuiltinRule_andDescribeSaysSo() {
    Migration untoggled = Fixtures.migration("rename-email", Optional.empty());
    unleash.disableAll();
    MigrationState state = Fixtures.state(untoggled, Phase.READS, 30);
    for (String key : KEYS) {
      assertThat(flags.readsNew(untoggled, state, key))
          .isEqualTo(BuiltinFlags.INSTANCE.readsNew(untoggled, state, key));
    }
    assertThat(flags.describe()).contains("builtin rule (no reads.toggle) for [rename-email]");
  }
}
