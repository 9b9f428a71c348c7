package io.turnout.admin.store;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.StateSnapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link StateSnapshot} equal to the state store's: a dedicated thread holds
 * its own connection, {@code LISTEN}s on {@link StateStore#CHANNEL}, and reloads the state on every
 * notification, on every reconnect (what changed while it was away is read, not replayed) and every
 * {@code resyncInterval} as a safety net. The request path only reads {@link #snapshot()}, an
 * immutable value swapped atomically.
 *
 * <p>Until the first load succeeds the snapshot is every migration planned at version 0 — pure
 * pass-through: with no state it can prove, Turnout never guesses a rollout percentage. Once
 * loaded, a lost store keeps the last proven state, and {@link #health()} says since when it is
 * unproven.
 */
public final class StateFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateFollower.class);

  /** Opens a connection to the state store (blocking; a fresh one per attempt). */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  /** What health and readiness report about the state store. */
  public record Health(
      boolean connected,
      long appliedVersion,
      boolean everLoaded,
      Optional<Instant> lastLoad,
      Optional<String> lastError) {}

  private final Connector connector;
  private final List<? extends Migration> plan;
  private final Duration resyncInterval;
  private final Consumer<StateSnapshot> onChange;
  private final AtomicReference<StateSnapshot> snapshot;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean connected;
  private volatile boolean everLoaded;
  private volatile Instant lastLoad;
  private volatile String lastError;
  private volatile Connection current;

  public StateFollower(
      Connector connector,
      List<? extends Migration> plan,
      Duration resyncInterval,
      Consumer<StateSnapshot> onChange) {
    this.connector = Objects.requireNonNull(connector, "connector");
    this.plan = List.copyOf(plan);
    this.resyncInterval = Objects.requireNonNull(resyncInterval, "resyncInterval");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.snapshot = new AtomicReference<>(StateSnapshot.initial(this.plan));
    this.thread = new Thread(this::run, "turnout-state-follower");
    this.thread.setDaemon(true);
  }

  public StateFollower start() {
    thread.start();
    return this;
  }

  /** The state the request path acts on; never null. */
  public StateSnapshot snapshot() {
    return snapshot.get();
  }

  public long appliedVersion() {
    return snapshot.get().version();
  }

  public Health health() {
    return new Health(
        connected,
        appliedVersion(),
        everLoaded,
        Optional.ofNullable(lastLoad),
        Optional.ofNullable(lastError));
  }

  /**
   * Waits until the applied version is at least {@code version} (for a change this instance just
   * made: its own reads then see it). Returns false on timeout.
   */
  public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (appliedVersion() < version) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  private void run() {
    long backoffMillis = 100;
    boolean lost = false;
    while (running) {
      try (Connection c = connector.connect()) {
        current = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + StateStore.CHANNEL);
        }
        connected = true;
        backoffMillis = 100;
        reload(c); // whatever changed while we were away
        if (lost) {
          // The warnings said it was gone; say it is back, or the log ends on "retrying".
          log.info("state store reachable again; following it at version {}", appliedVersion());
          lost = false;
        }
        follow(c);
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          break;
        }
        connected = false;
        lost = true;
        lastError = e.getMessage();
        log.warn(
            "state store unreachable ({}); serving the last proven state (version {}), retrying",
            e.getMessage(),
            appliedVersion());
        sleep(ThreadLocalRandom.current().nextLong(backoffMillis / 2, backoffMillis + 1));
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      } finally {
        current = null;
        connected = false;
      }
    }
  }

  private void follow(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextResync = System.nanoTime() + resyncInterval.toNanos();
    while (running) {
      long waitMillis = Math.max(1, (nextResync - System.nanoTime()) / 1_000_000);
      PGNotification[] notes = pg.getNotifications((int) Math.min(waitMillis, 500));
      boolean due = System.nanoTime() >= nextResync;
      // A dead server shows up here as an exception (the socket ends); a silent one at the next
      // resync, whose query runs under the connection's socket timeout.
      if ((notes != null && notes.length > 0) || due) {
        reload(c);
        nextResync = System.nanoTime() + resyncInterval.toNanos();
      }
    }
  }

  private void reload(Connection c) throws SQLException {
    StoredState stored = StateStore.load(c);
    StateSnapshot next = stored.snapshot(plan);
    StateSnapshot previous = snapshot.get();
    boolean first = !everLoaded;
    lastLoad = Instant.now();
    lastError = null;
    // The first load is always handed on, even when it equals the initial state: until then the
    // proxy does not know the state and refuses statements on managed tables.
    if (first || next.version() != previous.version() || !next.equals(previous)) {
      // The instance acts on the change (the proxy's sessions see it) before anyone waiting in
      // awaitVersion is told it is applied: "applied" must mean the next statement obeys it.
      onChange.accept(next);
      everLoaded = true;
      snapshot.set(next);
      synchronized (this) {
        notifyAll();
      }
      if (next.version() < previous.version()) {
        log.warn(
            "state store version went back from {} to {} (store restored from a backup?);"
                + " following the store",
            previous.version(),
            next.version());
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    Connection c = current;
    thread.interrupt();
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
