package io.turnout.router;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the router decided, for metrics. {@code unanalysedReads} counts reads of a
 * managed table that were served by the old path because they could not be analysed (the numbers
 * behind {@code turnout usage} and the "statements we could not follow" alert).
 */
public final class RouterStats {
  final LongAdder passThrough = new LongAdder();
  final LongAdder rewrites = new LongAdder();
  final LongAdder routes = new LongAdder();
  final LongAdder rejects = new LongAdder();
  final LongAdder unanalysedReads = new LongAdder();
  final LongAdder analyses = new LongAdder();
  final LongAdder cacheHits = new LongAdder();

  /** A point-in-time copy. */
  public record Snapshot(
      long passThrough,
      long rewrites,
      long routes,
      long rejects,
      long unanalysedReads,
      long analyses,
      long cacheHits) {}

  public Snapshot snapshot() {
    return new Snapshot(
        passThrough.sum(),
        rewrites.sum(),
        routes.sum(),
        rejects.sum(),
        unanalysedReads.sum(),
        analyses.sum(),
        cacheHits.sum());
  }

  void count(Decision d, boolean unanalysedRead) {
    if (d instanceof PassThrough) {
      passThrough.increment();
    } else if (d instanceof Rewrite) {
      rewrites.increment();
    } else if (d instanceof Route) {
      routes.increment();
    } else {
      rejects.increment();
    }
    if (unanalysedRead) {
      unanalysedReads.increment();
    }
  }
}
