package io.turnout.bench.router;

import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Decision;
import io.turnout.router.Router;
import java.util.List;
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
 * {@code Router.decide} on statements that name no managed table (the 235 corpus statements that do
 * not touch {@code users}, with both migrations active): the whole pass-through path, the
 * pre-filter's substring scan included. Reported per statement.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PreFilterBenchmark {
  private Router router;
  private StateSnapshot state;
  private String[] statements;

  @Setup
  public void setUp() {
    CorpusFixture f = new CorpusFixture();
    router = f.router();
    state = f.state;
    List<String> s = f.sql(false, null);
    statements = s.toArray(new String[0]);
    for (String sql : statements) {
      if (!(router.decide(sql, state) instanceof io.turnout.router.PassThrough)) {
        throw new IllegalStateException("not a pass-through: " + sql);
      }
    }
  }

  private int next;

  /** One statement per operation, cycling through the untouched corpus statements. */
  @Benchmark
  public Decision decide_untouchedStatement() {
    String sql = statements[next];
    next = next + 1 == statements.length ? 0 : next + 1;
    return router.decide(sql, state);
  }
}
