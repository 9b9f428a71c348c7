package io.turnout.proxy.routing;

import io.turnout.admin.flags.FlagProvider;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One session's read paths: its sticky key (the session itself, so a connection always reads one
 * way for a given percentage) and, inside a transaction, the path already taken per migration, so a
 * transaction never mixes old and new reads of one migration even when the percentage moves under
 * it. Used by one session at a time (its event loop hands planning to the analysis executor and
 * waits for the answer), never concurrently.
 */
public final class SessionPaths {
  private final String stickyKey = UUID.randomUUID().toString();
  private final Map<String, Boolean> pinned = new HashMap<>(2);

  /** Whether this read of {@code migration} is served by the new schema. */
  boolean readsNew(Migration migration, MigrationState state, FlagProvider flags) {
    Boolean path = pinned.get(migration.id());
    if (path == null) {
      path = flags.readsNew(migration, state, stickyKey);
      pinned.put(migration.id(), path);
    }
    return path;
  }

  /** The session is idle outside a transaction: the next statement may choose afresh. */
  public void transactionEnded() {
    if (!pinned.isEmpty()) {
      pinned.clear();
    }
  }
}
