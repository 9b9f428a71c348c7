package io.turnout.config.catalog;

import io.turnout.config.plan.TableName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the database holds, as far as routing and validation need it: tables with their columns,
 * primary keys and indexes, the schema search path used to resolve unqualified names, and for each
 * view the relations its definition reads. Immutable; the router loads a new one after DDL.
 *
 * @param tables tables, views, materialized views and foreign tables by name
 * @param views each (non-materialized) view's name → the relations (tables, views, …) its
 *     definition reads directly; a view over a view is followed through this map
 */
public record Catalog(
    List<String> searchPath,
    Map<TableName, TableInfo> tables,
    Map<TableName, Set<TableName>> views) {
  public static final Catalog EMPTY = new Catalog(List.of("public"), Map.of());

  public Catalog {
    searchPath = List.copyOf(searchPath);
    tables = Map.copyOf(tables);
    Map<TableName, Set<TableName>> v = new LinkedHashMap<>();
    views.forEach((name, bases) -> v.put(name, Set.copyOf(bases)));
    views = Map.copyOf(v);
  }

  /** A catalog without view dependencies. */
  public Catalog(List<String> searchPath, Map<TableName, TableInfo> tables) {
    this(searchPath, tables, Map.of());
  }

  /** The same tables under another search path (a session's own). */
  public Catalog withSearchPath(List<String> path) {
    return path.equals(searchPath) ? this : new Catalog(path, tables, views);
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
