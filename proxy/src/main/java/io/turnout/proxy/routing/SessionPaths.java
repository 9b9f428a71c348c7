package io.turnout.proxy.routing;

import io.turnout.admin.flags.FlagProvider;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One session's read paths: the sticky key each migration hashes by (its {@code reads.sticky}: the
 * session itself by default, so a connection always reads one way for a given percentage; or its
 * application_name, its role, or the value it set for {@code turnout.sticky_key}) and, inside a
 * transaction, the path already taken per migration, so a transaction never mixes old and new reads
 * of one migration even when the percentage or the key moves under it. Planned for on the analysis
 * executor while the session's event loop may learn a new application_name, hence the volatile
 * fields; never planned for concurrently.
 */
public final class SessionPaths {
  private final String sessionKey = UUID.randomUUID().toString();
  private final Map<String, Boolean> pinned = new HashMap<>(2);
  private volatile ClientIdentity identity = ClientIdentity.UNKNOWN;

  /** {@code SET turnout.sticky_key}'s value; null while unset. */
  private volatile String stickyKey;

  /** {@code SET LOCAL turnout.sticky_key}'s value until the transaction ends; null while unset. */
  private volatile String localStickyKey;

  /** Whether this read of {@code migration} is served by the new schema. */
  boolean readsNew(Migration migration, MigrationState state, FlagProvider flags) {
    Boolean path = pinned.get(migration.id());
    if (path == null) {
      path = flags.readsNew(migration, state, keyFor(migration));
      pinned.put(migration.id(), path);
    }
    return path;
  }

  /** What {@code migration}'s reads are hashed by in this session. */
  String keyFor(Migration migration) {
    return switch (migration.reads().sticky()) {
      case APPLICATION_NAME -> identity.applicationName();
      case ROLE -> identity.role();
      case STICKY_KEY -> {
        String key = localStickyKey != null ? localStickyKey : stickyKey;
        yield key != null ? key : sessionKey;
      }
      // KEY_COLUMN: the bound key is not followed on the wire yet; the session stands in.
      case SESSION, KEY_COLUMN -> sessionKey;
    };
  }

  /** Who the session is now (at startup, then after each application_name change). */
  public void identity(ClientIdentity who) {
    identity = who;
  }

  /** The session set or reset {@code turnout.sticky_key}. */
  public void stickyKey(StickyKeySetting setting) {
    if (setting.value() == null) {
      stickyKey = null;
      localStickyKey = null;
    } else if (setting.local()) {
      localStickyKey = setting.value();
    } else {
      stickyKey = setting.value();
    }
  }

  /** The session is idle outside a transaction: the next statement may choose afresh. */
  public void transactionEnded() {
    localStickyKey = null;
    if (!pinned.isEmpty()) {
      pinned.clear();
    }
  }
}
