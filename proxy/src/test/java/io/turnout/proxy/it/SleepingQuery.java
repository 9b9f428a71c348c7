package io.turnout.proxy.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code pg_sleep} running on its own thread, for cancel tests: started, then awaited until
 * PostgreSQL shows it active, so a cancel can never race ahead of the query it is meant for.
 */
final class SleepingQuery implements AutoCloseable {
  /** How the query ended: its error (null if it completed) and when, in nanoTime. */
  record Outcome(SQLException error, long endedNanos) {}

  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final Statement statement;
  private final Future<Outcome> running;

  private SleepingQuery(Statement statement, int seconds) {
    this.statement = statement;
    String sql = "select pg_sleep(" + seconds + ")";
    this.running =
        thread.submit(
            () -> {
              try {
                statement.executeQuery(sql).close();
                return new Outcome(null, System.nanoTime());
              } catch (SQLException e) {
                return new Outcome(e, System.nanoTime());
              }
            });
  }

  /**
   * Starts {@code pg_sleep(seconds)} on {@code statement} and returns once {@code direct} sees it
   * running in backend {@code pid}.
   */
  static SleepingQuery start(Statement statement, int seconds, Connection direct, int pid)
      throws Exception {
    SleepingQuery q = new SleepingQuery(statement, seconds);
    Backends.awaitActive(direct, pid, "pg_sleep(" + seconds + ")");
    return q;
  }

  /** Cancels through the driver (a CancelRequest on a new connection) and returns when it did. */
  long cancel() throws SQLException {
    long at = System.nanoTime();
    statement.cancel();
    return at;
  }

  Outcome outcome() throws InterruptedException, ExecutionException, TimeoutException {
    return running.get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
