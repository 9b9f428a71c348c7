package io.turnout.admin.usage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Who uses a migration's names, most recently seen first, as {@code turnout usage} shows it. */
public record UsageReport(String migrationId, List<UsageRow> rows) {
  public UsageReport {
    rows = List.copyOf(rows);
  }

  /** Statements using these names, over every row. */
  public long statements(NameUse names) {
    return rows.stream().filter(r -> r.names() == names).mapToLong(UsageRow::statements).sum();
  }

  public Optional<Instant> lastSeen(NameUse names) {
    return rows.stream()
        .filter(r -> r.names() == names)
        .map(UsageRow::lastSeen)
        .max(Instant::compareTo);
  }
}
