package io.turnout.config.catalog;

import io.turnout.config.plan.TableName;
import java.util.List;
import java.util.Optional;

/** One table: columns in attnum order, primary key columns, and indexes. */
public record TableInfo(
    TableName name, List<ColumnInfo> columns, List<String> primaryKey, List<IndexInfo> indexes) {
  public TableInfo {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    indexes = List.copyOf(indexes);
  }

  public Optional<ColumnInfo> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
