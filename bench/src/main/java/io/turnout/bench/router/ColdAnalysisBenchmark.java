package io.turnout.bench.router;

import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Router;
import io.turnout.router.route.Planner;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A decision without the cache: tokenise, parse with JSqlParser, resolve scopes, rewrite (both
 * variants for a routed read). Each operation analyses one statement, cycling through the corpus
 * statements on {@code users} of one class; sampled, so the p50 is the median over statements.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ColdAnalysisBenchmark {
  @Param({"ALL", "SELECT", "INSERT", "UPDATE", "PGSPEC"})
  public String statementClass;

  private Router router;
  private StateSnapshot state;
  private String[] statements;
  private int next;

  @Setup
  public void setUp() {
    CorpusFixture f = new CorpusFixture();
    router = f.router();
    state = f.state;
    List<String> s = f.sql(true, statementClass.equals("ALL") ? null : statementClass);
    if (s.isEmpty()) {
      throw new IllegalStateException("no statements of class " + statementClass);
    }
    statements = s.toArray(new String[0]);
  }

  @Benchmark
  public Planner.Outcome analyse_uncached() {
    String sql = statements[next];
    next = next + 1 == statements.length ? 0 : next + 1;
    return router.explain(sql, state);
  }
}
