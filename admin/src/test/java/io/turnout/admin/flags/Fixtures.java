package io.turnout.admin.flags;

import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/** Migrations, states, sticky keys and toggle JSON shared by the flag tests. */
final class Fixtures {
  private Fixtures() {}

  static Migration migration(String id, Optional<String> toggle) {
    return new RenameColumn(
        id,
        "primary",
        TableName.parse("public.users"),
        "email",
        "email_address",
        new ReadPolicy(ReadPolicy.Stickiness.SESSION, Optional.empty(), toggle),
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  static MigrationState state(Migration migration, Phase phase, int readPercent) {
    return new MigrationState(migration.id(), phase, readPercent, 0);
  }

  /** user-0..user-9999, 500 UUIDs (fixed seed), and keys beyond ASCII. */
  static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      keys.add("user-" + i);
    }
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      keys.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    keys.addAll(
        List.of(
            "", "Zoë", "Ærøskøbing", "用户-1", "ユーザー", "Привет", "🚂-42", "a🚂b", "x".repeat(257)));
    return keys;
  }

  /**
   * A toggles document as the Unleash server serves it on {@code /api/client/features}: one toggle
   * with one {@code flexibleRollout} strategy.
   */
  static String flexibleRollout(String toggle, int rollout, String stickiness, String groupId) {
    return "{\"version\":2,\"features\":[" + feature(toggle, rollout, stickiness, groupId) + "]}";
  }

  static String feature(String toggle, int rollout, String stickiness, String groupId) {
    return "{\"name\":\""
        + toggle
        + "\",\"type\":\"release\",\"enabled\":true,\"strategies\":[{\"name\":\"flexibleRollout\","
        + "\"parameters\":{\"rollout\":\""
        + rollout
        + "\",\"stickiness\":\""
        + stickiness
        + "\",\"groupId\":\""
        + groupId
        + "\"}}]}";
  }
}
