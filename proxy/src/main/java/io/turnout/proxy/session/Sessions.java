package io.turnout.proxy.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live client sessions of one proxy: admission under the connection limit, and the drain that
 * graceful shutdown starts. Cancel-only connections never count against the limit.
 */
public final class Sessions {
  private final int maxSessions;
  private final Set<Session> live = ConcurrentHashMap.newKeySet();

  /** Slots taken; claimed by compare-and-set before a session joins {@link #live}. */
  private final AtomicInteger taken = new AtomicInteger();

  private final AtomicBoolean draining = new AtomicBoolean();

  public Sessions(int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
    }
    this.maxSessions = maxSessions;
  }

  /** Admission result: why a session was refused, or null when it was admitted. */
  String admit(Session session) {
    if (draining.get()) {
      return "the proxy is shutting down";
    }
    // Claim a slot first: two clients racing for the last one cannot both win (check-then-add
    // would overshoot) nor both lose (add-then-check refused both while a slot was free).
    int n;
    do {
      n = taken.get();
      if (n >= maxSessions) {
        return "sorry, too many clients already (max_client_connections=" + maxSessions + ")";
      }
    } while (!taken.compareAndSet(n, n + 1));
    live.add(session);
    return null;
  }

  /** A session ended; frees its slot if it held one (safe to call for a refused session). */
  void remove(Session session) {
    if (live.remove(session)) {
      taken.decrementAndGet();
    }
  }

  public int size() {
    return live.size();
  }

  public boolean draining() {
    return draining.get();
  }

  /**
   * Starts a drain: new sessions are refused, idle sessions are closed now, the others when their
   * transaction ends (at the next idle ReadyForQuery).
   */
  public void startDrain() {
    draining.set(true);
    for (Session s : live) {
      s.drain();
    }
  }

  /** Closes every remaining session with a FATAL error (the grace period is over). */
  public void terminateAll() {
    for (Session s : live) {
      s.terminate();
    }
  }
}
