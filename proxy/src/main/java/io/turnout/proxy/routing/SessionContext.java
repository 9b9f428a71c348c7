package io.turnout.proxy.routing;

import io.turnout.admin.flags.FlagProvider;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the router needs to know of one session:
 *
 * <ul>
 *   <li>the sticky key each migration's reads hash by (its {@code reads.sticky}): the session
 *       itself by default, so a connection always reads one way for a given percentage; or its
 *       application_name, its role, the value it set for {@code turnout.sticky_key}, or the value
 *       each read binds to the key column;
 *   <li>inside a transaction, the path already taken per migration, so a transaction never mixes
 *       old and new reads of one migration even when the percentage or the key moves under it;
 *   <li>the {@code search_path} it set, if any, so unqualified names resolve as PostgreSQL resolves
 *       them for this session.
 * </ul>
 *
 * Planned for on the analysis executor while the session's event loop may learn a new
 * application_name or setting, hence the volatile fields; never planned for concurrently.
 */
public final class SessionContext {
  private final String sessionKey = UUID.randomUUID().toString();
  private final Map<String, Boolean> pinned = new HashMap<>(2);
  private volatile ClientIdentity identity = ClientIdentity.UNKNOWN;

  /** {@code turnout.sticky_key} as the session set it, and as it set it LOCAL; null while unset. */
  private volatile String stickyKey;

  private volatile String localStickyKey;

  /** {@code search_path} as the session set it, and as it set it LOCAL; null: the catalog's. */
  private volatile List<String> searchPath;

  private volatile List<String> localSearchPath;

  /**
   * Whether this read of {@code migration} is served by the new schema.
   *
   * @param keyValue the value the read binds to the migration's key column (as text), or null when
   *     it has none or the migration's reads are not sticky by a key column
   */
  boolean readsNew(Migration migration, MigrationState state, FlagProvider flags, String keyValue) {
    Boolean path = pinned.get(migration.id());
    if (path == null) {
      path = flags.readsNew(migration, state, keyFor(migration, keyValue));
      pinned.put(migration.id(), path);
    }
    return path;
  }

  /** What {@code migration}'s reads are hashed by in this session. */
  String keyFor(Migration migration, String keyValue) {
    return switch (migration.reads().sticky()) {
      case APPLICATION_NAME -> identity.applicationName();
      case ROLE -> identity.role();
      case STICKY_KEY -> {
        String key = localStickyKey != null ? localStickyKey : stickyKey;
        yield key != null ? key : sessionKey;
      }
      // A read that does not bind the key column (no WHERE key = …) is keyed by its session.
      case KEY_COLUMN -> keyValue != null ? keyValue : sessionKey;
      case SESSION -> sessionKey;
    };
  }

  /** Who the session is now (at startup, then after each application_name change). */
  public void identity(ClientIdentity who) {
    identity = who;
  }

  /** The session changed a setting the router depends on. */
  public void changed(SessionSetting setting) {
    String name = setting.name();
    List<String> v = setting.values();
    if (name == null || name.equals(SessionSetting.STICKY_KEY)) {
      String key = v == null ? null : v.get(0);
      if (v == null || !setting.local()) {
        stickyKey = key;
      }
      localStickyKey = setting.local() ? key : null;
    }
    if (name == null || name.equals(SessionSetting.SEARCH_PATH)) {
      if (v == null || !setting.local()) {
        searchPath = v;
      }
      localSearchPath = setting.local() ? v : null;
    }
  }

  /**
   * The schemas unqualified names resolve through in this session ({@code $user} as its role), or
   * null for the catalog's.
   */
  public List<String> searchPath() {
    List<String> path = localSearchPath != null ? localSearchPath : searchPath;
    if (path == null || !path.contains("$user")) {
      return path;
    }
    List<String> resolved = new ArrayList<>(path.size());
    for (String schema : path) {
      resolved.add(schema.equals("$user") ? identity.role() : schema);
    }
    return resolved;
  }

  /** The session is idle outside a transaction: the next statement may choose afresh. */
  public void transactionEnded() {
    localStickyKey = null;
    localSearchPath = null;
    if (!pinned.isEmpty()) {
      pinned.clear();
    }
  }
}
