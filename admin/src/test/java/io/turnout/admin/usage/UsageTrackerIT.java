package io.turnout.admin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.store.SchemaMigrator;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class UsageTrackerIT {
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  @Test
  void flush_twoInstances_reportSumsThemWithoutCountingTwice(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("usage");
    AtomicLong clockA = new AtomicLong(T0);
    AtomicLong clockB = new AtomicLong(T0 + 5_000);
    UsageTracker a = new UsageTracker(10, clockA::get);
    UsageTracker b = new UsageTracker(10, clockB::get);
    try (Connection c = pg.connect(db)) {
      SchemaMigrator.migrate(c);

      a.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
      a.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
      b.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
      b.record("split-name", NameUse.NEW, "web", "app", "10.0.0.2");
      b.record("other", NameUse.OLD, "web", "app", "10.0.0.2");
      assertThat(a.flush(c)).isEqualTo(1);
      assertThat(b.flush(c)).isEqualTo(3);

      // Second round: only the new statements are added, the old ones are not flushed again.
      clockA.set(T0 + 60_000);
      a.record("split-name", NameUse.OLD, "billing", "app", "10.0.0.1");
      assertThat(a.flush(c)).isEqualTo(1);
      assertThat(a.flush(c)).isZero();
      assertThat(b.flush(c)).isZero();

      UsageReport report = UsageQueries.report(c, "split-name");
      assertThat(report.rows())
          .containsExactly(
              new UsageRow(
                  NameUse.OLD,
                  "billing",
                  "app",
                  "10.0.0.1",
                  4,
                  Instant.ofEpochMilli(T0),
                  Instant.ofEpochMilli(T0 + 60_000)),
              new UsageRow(
                  NameUse.NEW,
                  "web",
                  "app",
                  "10.0.0.2",
                  1,
                  Instant.ofEpochMilli(T0 + 5_000),
                  Instant.ofEpochMilli(T0 + 5_000)));
      assertThat(report.statements(NameUse.OLD)).isEqualTo(4);

      assertThat(UsageQueries.lastSeen(c, "split-name", NameUse.OLD))
          .contains(Instant.ofEpochMilli(T0 + 60_000));
      assertThat(UsageQueries.lastSeen(c, "split-name", NameUse.NEW))
          .contains(Instant.ofEpochMilli(T0 + 5_000));
      assertThat(UsageQueries.lastSeen(c, "never-used", NameUse.OLD)).isEmpty();
      assertThat(c.getAutoCommit()).isTrue();
    }
  }

  @Test
  void flush_pastBound_writesOverflowRowSoTheGuardStillSeesOldNames(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("usage");
    UsageTracker t = new UsageTracker(1, () -> T0);
    try (Connection c = pg.connect(db)) {
      SchemaMigrator.migrate(c);
      t.record("m", NameUse.NEW, "a", "r", "h");
      t.record("m", NameUse.OLD, "b", "r", "h");
      t.record("m", NameUse.OLD, "c", "r", "h");
      t.flush(c);

      UsageReport report = UsageQueries.report(c, "m");
      assertThat(report.rows())
          .extracting(UsageRow::names, UsageRow::clientAddress, UsageRow::statements)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(NameUse.NEW, "h", 1L),
              org.assertj.core.groups.Tuple.tuple(NameUse.OLD, UsageTracker.OVERFLOW_ADDRESS, 2L));
      assertThat(UsageQueries.lastSeen(c, "m", NameUse.OLD)).contains(Instant.ofEpochMilli(T0));
    }
  }
}
