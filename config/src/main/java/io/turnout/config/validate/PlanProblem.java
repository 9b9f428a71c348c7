package io.turnout.config.validate;

import java.util.Objects;

/**
 * One reason a migration cannot run against the database as it is, e.g. {@code migration
 * 'split-name': forward.first_name: uses column 'email', which is not an old column}.
 *
 * @param setting the plan setting at fault ({@code table}, {@code from}, {@code
 *     forward.first_name}); empty for the migration as a whole
 */
public record PlanProblem(String migrationId, String setting, String message) {
  public PlanProblem {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(setting, "setting");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return "migration '"
        + migrationId
        + "': "
        + (setting.isEmpty() ? "" : setting + ": ")
        + message;
  }
}
