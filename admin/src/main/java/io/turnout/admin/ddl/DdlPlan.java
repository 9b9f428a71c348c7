package io.turnout.admin.ddl;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The ordered DDL statements of one phase of one migration, as {@link ExpandPlanner} or {@link
 * ContractPlanner} computed them. Every step is guarded (see {@link DdlStep#doneWhen()}), so the
 * same plan can be run again after a failure or after it succeeded.
 */
public record DdlPlan(String migrationId, Phase phase, List<DdlStep> steps) {
  /** Which lifecycle command the plan belongs to. */
  public enum Phase {
    EXPAND,
    CONTRACT;

    /** {@code expand} or {@code contract}, as the CLI spells it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DdlPlan {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(phase, "phase");
    steps = List.copyOf(steps);
  }

  /**
   * The statements, one per line, each ending in {@code ;}: what {@code turnout expand --dry-run}
   * prints, and valid input for psql (outside a transaction block, because of {@code
   * CONCURRENTLY}).
   */
  public String render() {
    return steps.stream().map(s -> s.sql() + ";").collect(Collectors.joining("\n", "", "\n"));
  }
}
