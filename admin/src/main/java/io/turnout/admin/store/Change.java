package io.turnout.admin.store;

import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.MigrationRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * One change to store: the record as it was read ({@code from}, whose version is the
 * compare-and-set's expectation), the record to store, and who asked, from where, and why.
 */
public record Change(
    MigrationRecord from,
    MigrationRecord to,
    Action action,
    String actor,
    Optional<String> clientAddress,
    String reason) {
  public Change {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(reason, "reason");
    if (!from.migrationId().equals(to.migrationId())) {
      throw new IllegalArgumentException(
          "a change is to one migration: " + from.migrationId() + " vs " + to.migrationId());
    }
  }
}
