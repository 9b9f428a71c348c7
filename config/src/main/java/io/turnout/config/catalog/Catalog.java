package io.turnout.config.catalog;

import io.turnout.config.plan.TableName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the database holds, as far as routing and validation need it: tables with their columns,
 * primary keys and indexes, and the schema search path used to resolve unqualified names.
 * Immutable; the router loads a new one after DDL.
 */
public record Catalog(List<String> searchPath, Map<TableName, TableInfo> tables) {
  public static final Catalog EMPTY = new Catalog(List.of("public"), Map.of());

  public Catalog {
    searchPath = List.copyOf(searchPath);
    tables = Map.copyOf(tables);
  }

  public Optional<TableInfo> table(TableName name) {
    return Optional.ofNullable(tables.get(name));
  }

  /** Resolves an unqualified table name through the search path, as PostgreSQL does. */
  public Optional<TableInfo> resolve(String unqualifiedName) {
    for (String schema : searchPath) {
      TableInfo t = tables.get(new TableName(schema, unqualifiedName));
      if (t != null) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
