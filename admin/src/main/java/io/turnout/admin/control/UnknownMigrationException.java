package io.turnout.admin.control;

import java.util.Collection;

/** The plan has no migration with this id. */
public final class UnknownMigrationException extends Exception {
  private static final long serialVersionUID = 1L;

  public UnknownMigrationException(String id, Collection<String> known) {
    super("no migration '" + id + "' in the plan (migrations: " + String.join(", ", known) + ")");
  }
}
