package io.turnout.config.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateSnapshotTest {
  private static Migration rename(String id) {
    return new RenameColumn(
        id,
        "primary",
        new TableName("public", "users"),
        "a",
        "b",
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  @Test
  void initial_everyMigrationPlannedNothingRouted() {
    StateSnapshot s = StateSnapshot.initial(List.of(rename("a"), rename("b")));

    assertThat(s.version()).isZero();
    assertThat(s.migrations()).hasSize(2);
    assertThat(s.of("a")).contains(MigrationState.planned("a"));
    assertThat(s.of("b").orElseThrow().readPercent()).isZero();
  }

  @Test
  void phase_unknownMigration_isPlanned() {
    assertThat(StateSnapshot.EMPTY.phase("nope")).isEqualTo(Phase.PLANNED);
  }

  @Test
  void with_publishesNextVersion() {
    StateSnapshot s = StateSnapshot.initial(List.of(rename("a")));

    StateSnapshot next = s.with(new MigrationState("a", Phase.READS, 5, 10));

    assertThat(next.version()).isEqualTo(1);
    assertThat(next.phase("a")).isEqualTo(Phase.READS);
    assertThat(s.phase("a")).isEqualTo(Phase.PLANNED);
  }

  @Test
  void migration_managedColumns_areOldThenNew() {
    Migration m = rename("a");

    assertThat(m.kind()).isEqualTo("rename_column");
    assertThat(m.oldColumns()).containsExactly("a");
    assertThat(m.newColumns()).containsExactly("b");
    assertThat(m.managedColumns()).containsExactly("a", "b");
  }
}
