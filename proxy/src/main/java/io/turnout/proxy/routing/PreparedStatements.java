package io.turnout.proxy.routing;

import java.util.HashMap;
import java.util.Map;

/**
 * One session's named statements that may name a managed table, with the decision fingerprint
 * ({@link io.turnout.router.Router#decisionFingerprint}) they were prepared under, so a Bind of one
 * prepared before a phase change is noticed: it still runs as it was prepared (re-preparing it
 * needs replies Turnout can hide, not built yet). Used on the session's event loop only. Bounded:
 * past {@link #MAX} statements new ones are not followed.
 */
public final class PreparedStatements {
  static final int MAX = 1024;

  private final Map<String, String> fingerprints = new HashMap<>();

  /** A Parse of {@code name}; {@code fingerprint} null when its text names no managed table. */
  public void parsed(String name, String fingerprint) {
    if (fingerprint == null) {
      fingerprints.remove(name);
    } else if (fingerprints.size() < MAX || fingerprints.containsKey(name)) {
      fingerprints.put(name, fingerprint);
    }
  }

  /** True when no statement is followed: Binds and Closes need not be read. */
  public boolean isEmpty() {
    return fingerprints.isEmpty();
  }

  public void closed(String name) {
    fingerprints.remove(name);
  }

  /** True when {@code name} was prepared under another fingerprint than {@code current}. */
  public boolean stale(String name, String current) {
    String then = fingerprints.get(name);
    return then != null && !then.equals(current);
  }
}
