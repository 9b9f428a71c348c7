package io.turnout.proxy.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.turnout.config.plan.Migration;
import io.turnout.router.RouterStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * What the wire did, as metrics: statements by decision, reads by migration and path, refusals by
 * SQLSTATE, the router's cache, the analysis queue and how long planning a Query took (queue wait
 * included). The meters live in a composite registry, so the proxy can count before the admin API
 * (whose Prometheus registry serves {@code /metrics}) is {@link #publishTo attached}.
 */
public final class WireMetrics {
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<String, Counter> oldReads = new HashMap<>();
  private final Map<String, Counter> newReads = new HashMap<>();
  private final Timer planning;
  private final Counter reprepared;

  WireMetrics(List<? extends Migration> plan, RouterStats stats, ThreadPoolExecutor analysis) {
    decisions(stats, "pass_through", s -> s.snapshot().passThrough());
    decisions(stats, "rewrite", s -> s.snapshot().rewrites());
    decisions(stats, "route", s -> s.snapshot().routes());
    decisions(stats, "reject", s -> s.snapshot().rejects());
    FunctionCounter.builder(
            "turnout.statements.unanalysed.reads", stats, s -> s.snapshot().unanalysedReads())
        .description("reads of a managed table served by the old path because not analysable")
        .register(registry);
    cache(stats, "hit", s -> s.snapshot().cacheHits());
    cache(stats, "miss", s -> s.snapshot().analyses());
    for (Migration m : plan) {
      oldReads.put(m.id(), reads(m.id(), "old"));
      newReads.put(m.id(), reads(m.id(), "new"));
    }
    Gauge.builder("turnout.analysis.queue", analysis, a -> a.getQueue().size())
        .description("statements waiting for analysis")
        .register(registry);
    this.planning =
        Timer.builder("turnout.query.planning")
            .description(
                "from a Query's, Parse's or re-preparing Bind's arrival to its planned text, queue wait included")
            .register(registry);
    this.reprepared =
        Counter.builder("turnout.statements.reprepared")
            .description(
                "named statements re-prepared at their Bind after a phase or search_path change")
            .register(registry);
  }

  void reprepared() {
    reprepared.increment();
  }

  /** Adds a registry (the admin API's) that sees every meter, those made before included. */
  public void publishTo(MeterRegistry target) {
    registry.add(target);
  }

  MeterRegistry registry() {
    return registry;
  }

  void read(String migrationId, boolean readsNew) {
    Counter c = (readsNew ? newReads : oldReads).get(migrationId);
    if (c != null) {
      c.increment();
    }
  }

  /** A refusal, by SQLSTATE (a short, fixed set: Micrometer keeps one counter for each). */
  void rejected(String sqlstate) {
    Counter.builder("turnout.rejects")
        .description("statements refused on the wire")
        .tag("sqlstate", sqlstate)
        .register(registry)
        .increment();
  }

  void planned(long startNanos) {
    planning.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private void decisions(RouterStats stats, String decision, ToDoubleFunction<RouterStats> f) {
    FunctionCounter.builder("turnout.statements", stats, f)
        .description(
            "statements the router decided (those that may name a managed table), by decision")
        .tag("decision", decision)
        .register(registry);
  }

  private void cache(RouterStats stats, String result, ToDoubleFunction<RouterStats> f) {
    FunctionCounter.builder("turnout.router.cache", stats, f)
        .description("router decisions by cache result (a miss is one analysis)")
        .tag("result", result)
        .register(registry);
  }

  private Counter reads(String migrationId, String path) {
    return Counter.builder("turnout.reads")
        .description("routed reads by the path that served them")
        .tag("migration", migrationId)
        .tag("path", path)
        .register(registry);
  }
}
