package io.turnout.admin.usage;

import java.util.concurrent.atomic.LongAdder;

/**
 * Statements seen for one key, and when. Recorded from any thread without a lock: a {@link
 * LongAdder} for the count (no CAS contention between event loops) and volatile millis for first
 * and last seen. {@code flushed} is only touched by the flushing thread, under the tracker's flush
 * lock.
 */
final class UsageCounter {
  private final LongAdder statements = new LongAdder();
  private final long firstSeenMillis;
  private volatile long lastSeenMillis;
  private long flushed;
  private long flushedLastSeen;

  UsageCounter(long nowMillis) {
    firstSeenMillis = nowMillis;
    lastSeenMillis = nowMillis;
  }

  void record(long nowMillis) {
    statements.increment();
    // Write only when the millisecond changed: fewer stores to a cache line all threads share.
    if (nowMillis > lastSeenMillis) {
      lastSeenMillis = nowMillis;
    }
  }

  long statements() {
    return statements.sum();
  }

  long firstSeenMillis() {
    return firstSeenMillis;
  }

  long lastSeenMillis() {
    return lastSeenMillis;
  }

  /** Statements not yet flushed, given a total read just now. */
  long unflushed(long total) {
    return total - flushed;
  }

  boolean seenSinceFlush(long lastSeen) {
    return lastSeen > flushedLastSeen;
  }

  void markFlushed(long total, long lastSeen) {
    flushed = total;
    flushedLastSeen = lastSeen;
  }
}
