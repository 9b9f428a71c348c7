package io.turnout.bench.router;

import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Decision;
import io.turnout.router.Router;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Router.decide} on statements that touch {@code users} once their decision is cached (the
 * steady state: an application sends the same statement texts over and over). Each operation
 * decides one statement, cycling through the 117 corpus statements on {@code users}. The statement
 * strings are fresh copies, as a proxy would decode them from each message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CachedDecisionBenchmark {
  private Router router;
  private StateSnapshot state;
  private String[] statements;
  private int next;

  @Setup
  public void setUp() {
    CorpusFixture f = new CorpusFixture();
    router = f.router();
    state = f.state;
    statements = f.sql(true, null).toArray(new String[0]);
    for (String sql : statements) {
      router.decide(sql, state);
    }
  }

  @Benchmark
  public Decision decide_cachedStatementOnManagedTable() {
    // A new String per call: its hash is not cached, as for text decoded from the wire.
    String sql = new String(statements[next].toCharArray());
    next = next + 1 == statements.length ? 0 : next + 1;
    return router.decide(sql, state);
  }
}
