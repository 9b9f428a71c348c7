package io.turnout.admin.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Counts, per migration, which application_name / role / client address sends statements using the
 * old names or the new ones: the evidence that makes {@code contract} safe. One tracker per proxy
 * instance; every instance flushes into the shared {@code turnout.usage} table.
 *
 * <p>{@link #record} runs on the Netty event loop for every statement that touches a managed table,
 * so for a key already seen it does no I/O, takes no lock and allocates nothing: four {@link
 * ConcurrentHashMap#get} calls on nested maps keyed by the caller's own strings (migration → use →
 * application → role → address; a {@code String} caches its hash, so a lookup with a session's
 * strings costs no allocation, where a composite key object would cost one per call), then a {@link
 * java.util.concurrent.atomic.LongAdder} increment and a volatile store of {@code
 * System.currentTimeMillis()}. Only the first sight of a key takes a lock (to create the entry and
 * count it against the bound).
 *
 * <p>At most {@code maxKeys} distinct (migration, use, application, role, address) keys are kept;
 * past that, statements of an unseen key are counted in an overflow bucket per migration and use,
 * flushed with client address {@value #OVERFLOW_ADDRESS} (which no real address can be), so the
 * contract guard still sees that the old names were used, only not by whom.
 *
 * <p>{@link #flush} is meant for one scheduled thread every few seconds; it writes the deltas since
 * the last successful flush, so a failed flush loses nothing and a repeated one counts nothing
 * twice.
 */
public final class UsageTracker {
  public static final int DEFAULT_MAX_KEYS = 10_000;

  /** The client address of the overflow bucket's row in {@code turnout.usage}. */
  public static final String OVERFLOW_ADDRESS = "(overflow)";

  private static final String UPSERT =
      "INSERT INTO turnout.usage AS u (migration_id, names, application_name, role, client_addr,"
          + " statements, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (migration_id, names, application_name, role, client_addr) DO UPDATE SET"
          + " statements = u.statements + excluded.statements,"
          + " first_seen = least(u.first_seen, excluded.first_seen),"
          + " last_seen = greatest(u.last_seen, excluded.last_seen)";

  private final int maxKeys;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Uses> migrations = new ConcurrentHashMap<>();
  private final AtomicInteger keys = new AtomicInteger();
  private final Object createLock = new Object();
  private final Object flushLock = new Object();

  public UsageTracker() {
    this(DEFAULT_MAX_KEYS);
  }

  public UsageTracker(int maxKeys) {
    this(maxKeys, System::currentTimeMillis);
  }

  /** With a clock, for tests. */
  UsageTracker(int maxKeys, LongSupplier clockMillis) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("max keys must be at least 1 but was " + maxKeys);
    }
    this.maxKeys = maxKeys;
    this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
  }

  /**
   * Counts one statement. Null names are recorded as empty strings (the table's columns are not
   * null, and a client need not send application_name).
   */
  public void record(
      String migrationId, NameUse use, String applicationName, String role, String clientAddress) {
    String app = applicationName == null ? "" : applicationName;
    String r = role == null ? "" : role;
    String addr = clientAddress == null ? "" : clientAddress;
    long now = clock.getAsLong();
    Uses uses = migrations.get(migrationId);
    if (uses != null) {
      UsageCounter counter = uses.find(use, app, r, addr);
      if (counter != null) {
        counter.record(now);
        return;
      }
      // Past the bound, unseen keys go to the overflow bucket without the lock.
      UsageCounter overflow = uses.of(use).overflow;
      if (overflow != null && keys.get() >= maxKeys) {
        overflow.record(now);
        return;
      }
    }
    firstSight(migrationId, use, app, r, addr, now).record(now);
  }

  private UsageCounter firstSight(
      String migrationId, NameUse use, String app, String role, String addr, long now) {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(use, "use");
    synchronized (createLock) {
      Uses uses = migrations.computeIfAbsent(migrationId, id -> new Uses());
      UsageCounter counter = uses.find(use, app, role, addr);
      if (counter != null) {
        return counter;
      }
      if (keys.get() >= maxKeys) {
        UsageCounter overflow = uses.of(use).overflow;
        if (overflow == null) {
          overflow = new UsageCounter(now);
          uses.of(use).overflow = overflow;
        }
        return overflow;
      }
      counter = new UsageCounter(now);
      uses.of(use)
          .byApp
          .computeIfAbsent(app, a -> new ConcurrentHashMap<>())
          .computeIfAbsent(role, x -> new ConcurrentHashMap<>())
          .put(addr, counter);
      keys.incrementAndGet();
      return counter;
    }
  }

  /** Distinct keys tracked (not counting overflow buckets); never more than the bound. */
  public int distinctKeys() {
    return keys.get();
  }

  public int maxKeys() {
    return maxKeys;
  }

  /** Statements counted in the overflow bucket of this migration and use since start. */
  public long overflow(String migrationId, NameUse use) {
    Uses uses = migrations.get(migrationId);
    UsageCounter c = uses == null ? null : uses.of(use).overflow;
    return c == null ? 0 : c.statements();
  }

  /** Statements recorded for one key since start (0 if never seen or counted as overflow). */
  public long statements(
      String migrationId, NameUse use, String applicationName, String role, String clientAddress) {
    Uses uses = migrations.get(migrationId);
    UsageCounter c =
        uses == null
            ? null
            : uses.find(
                use,
                applicationName == null ? "" : applicationName,
                role == null ? "" : role,
                clientAddress == null ? "" : clientAddress);
    return c == null ? 0 : c.statements();
  }

  /**
   * Upserts what was recorded since the last successful flush into {@code turnout.usage}, in one
   * transaction: statements added, first seen the least, last seen the greatest of this instance's
   * and the table's. Rows are written in key order, so instances flushing at the same moment lock
   * rows in the same order and cannot deadlock. Blocking (JDBC); restores the connection's
   * autocommit.
   *
   * @return rows upserted (keys with statements since the last flush)
   */
  public int flush(Connection c) throws SQLException {
    synchronized (flushLock) {
      List<Delta> deltas = deltas();
      if (deltas.isEmpty()) {
        return 0;
      }
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
        for (Delta d : deltas) {
          ps.setString(1, d.migrationId());
          ps.setString(2, d.use().sql());
          ps.setString(3, d.applicationName());
          ps.setString(4, d.role());
          ps.setString(5, d.clientAddress());
          ps.setLong(6, d.statements());
          ps.setObject(7, timestamp(d.counter().firstSeenMillis()));
          ps.setObject(8, timestamp(d.lastSeenMillis()));
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
      // Only after the commit: a failed flush leaves the deltas for the next one.
      for (Delta d : deltas) {
        d.counter().markFlushed(d.total(), d.lastSeenMillis());
      }
      return deltas.size();
    }
  }

  private List<Delta> deltas() {
    List<Delta> out = new ArrayList<>();
    for (Map.Entry<String, Uses> m : migrations.entrySet()) {
      for (NameUse use : NameUse.values()) {
        m.getValue()
            .of(use)
            .byApp
            .forEach(
                (app, byRole) ->
                    byRole.forEach(
                        (role, byAddr) ->
                            byAddr.forEach(
                                (addr, counter) ->
                                    delta(m.getKey(), use, app, role, addr, counter, out))));
        UsageCounter overflow = m.getValue().of(use).overflow;
        if (overflow != null) {
          delta(m.getKey(), use, "", "", OVERFLOW_ADDRESS, overflow, out);
        }
      }
    }
    out.sort(
        Comparator.comparing(Delta::migrationId)
            .thenComparing(d -> d.use().sql())
            .thenComparing(Delta::applicationName)
            .thenComparing(Delta::role)
            .thenComparing(Delta::clientAddress));
    return out;
  }

  private static void delta(
      String migrationId,
      NameUse use,
      String app,
      String role,
      String addr,
      UsageCounter counter,
      List<Delta> out) {
    // Total before last seen: every statement in the total happened at or before that last seen.
    long total = counter.statements();
    long lastSeen = counter.lastSeenMillis();
    long added = counter.unflushed(total);
    if (added > 0) {
      out.add(new Delta(migrationId, use, app, role, addr, added, total, lastSeen, counter));
    }
  }

  private static OffsetDateTime timestamp(long millis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
  }

  private record Delta(
      String migrationId,
      NameUse use,
      String applicationName,
      String role,
      String clientAddress,
      long statements,
      long total,
      long lastSeenMillis,
      UsageCounter counter) {}

  /** One migration's counters, by use (array index = ordinal). */
  private static final class Uses {
    final Names[] byUse = new Names[NameUse.values().length];

    Uses() {
      for (int i = 0; i < byUse.length; i++) {
        byUse[i] = new Names();
      }
    }

    Names of(NameUse use) {
      return byUse[use.ordinal()];
    }

    UsageCounter find(NameUse use, String app, String role, String addr) {
      ConcurrentHashMap<String, ConcurrentHashMap<String, UsageCounter>> byRole =
          of(use).byApp.get(app);
      if (byRole == null) {
        return null;
      }
      ConcurrentHashMap<String, UsageCounter> byAddr = byRole.get(role);
      return byAddr == null ? null : byAddr.get(addr);
    }
  }

  /** One migration and use: application → role → address → counter, and the overflow bucket. */
  private static final class Names {
    final ConcurrentHashMap<
            String, ConcurrentHashMap<String, ConcurrentHashMap<String, UsageCounter>>>
        byApp = new ConcurrentHashMap<>();

    /** Set once under the create lock; null until the bound is first exceeded. */
    volatile UsageCounter overflow;
  }
}
