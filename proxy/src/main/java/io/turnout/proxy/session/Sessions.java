package io.turnout.proxy.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live client sessions of one proxy: admission under the connection limit, and the drain that
 * graceful shutdown starts. Cancel-only connections never count against the limit.
 */
public final class Sessions {
  private final int maxSessions;
  private final Set<Session> live = ConcurrentHashMap.newKeySet();
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
    // Check-then-add can overshoot by the number of event loops at most; add-then-check cannot.
    live.add(session);
    if (live.size() > maxSessions) {
      live.remove(session);
      return "sorry, too many clients already (max_client_connections=" + maxSessions + ")";
    }
    return null;
  }

  void remove(Session session) {
    live.remove(session);
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
