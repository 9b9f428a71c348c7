package io.turnout.admin.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinFlagsTest {
  private static final Migration MIGRATION = Fixtures.migration("split-name", Optional.empty());
  private static final List<String> KEYS = Fixtures.keys().subList(0, 2_000);
  private final FlagProvider flags = BuiltinFlags.INSTANCE;

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"PLANNED", "EXPANDED", "DUAL_WRITE", "BACKFILLED", "VERIFIED", "CONTRACTED"})
  void readsNew_phaseBeforeOrAfterReads_isFalseForEveryKey_evenWithAReadPercentage(Phase phase) {
    MigrationState state = Fixtures.state(MIGRATION, phase, 100);
    assertThat(KEYS).noneMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"READS_NEW", "WRITES_NEW"})
  void readsNew_allReadsNewPhase_isTrueForEveryKey_whateverTheReadPercentage(Phase phase) {
    MigrationState state = Fixtures.state(MIGRATION, phase, 0);
    assertThat(KEYS).allMatch(key -> flags.readsNew(MIGRATION, state, key));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 50, 100})
  void readsNew_readsPhase_isTrueExactlyForKeysWithinThePercentage(int percent) {
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS, percent);
    for (String key : KEYS) {
      assertThat(flags.readsNew(MIGRATION, state, key))
          .as("key %s at %d%%", key, percent)
          .isEqualTo(StickyBucket.of(MIGRATION.id(), key) <= percent);
    }
  }

  @Test
  void readsNew_readsPhaseAt1Percent_selectsSomeButFewKeys() {
    MigrationState state = Fixtures.state(MIGRATION, Phase.READS, 1);
    long selected = KEYS.stream().filter(key -> flags.readsNew(MIGRATION, state, key)).count();
    assertThat(selected).isBetween(1L, 60L); // ~20 of 2,000
  }

  @Test
  void readsNew_stateOfAnotherMigration_isRejectedNamingBoth() {
    MigrationState other = new MigrationState("rename-email", Phase.READS, 5, 0);
    assertThatThrownBy(() -> flags.readsNew(MIGRATION, other, "user-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rename-email")
        .hasMessageContaining("split-name")
        .hasMessageContaining("READS");
  }

  @Test
  void describe_namesTheRule() {
    assertThat(flags.describe()).startsWith("builtin");
  }
}
