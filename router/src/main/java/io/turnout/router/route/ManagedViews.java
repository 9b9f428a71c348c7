package io.turnout.router.route;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.TableName;
import io.turnout.router.lexical.PreFilter;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementKind;
import io.turnout.router.rewrite.ColumnPlan;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The views of one catalog snapshot whose definition reads a managed table, directly or through
 * other views. A write through one of them reaches the table without naming it, so it cannot be
 * dual-written; {@link #writtenView} finds such a write from the statement's tokens (the relation
 * after {@code INSERT INTO}, {@code MERGE INTO}, {@code UPDATE [ONLY]}, {@code DELETE FROM [ONLY]},
 * {@code COPY … FROM}, or a view named in the dollar-quoted body of a {@code DO} block). Reading
 * such a view is harmless: it reads the old columns, which stay correct until contract. Immutable;
 * built once per catalog snapshot.
 */
public final class ManagedViews {
  /** A view a statement writes through, and the managed tables its definition reaches. */
  public record Written(TableName view, Set<TableName> tables) {}

  public static final ManagedViews NONE = new ManagedViews(Map.of(), List.of("public"), Set.of());

  private final Map<TableName, Set<TableName>> reach;
  private final List<String> searchPath;
  private final Set<TableName> relations;
  private final PreFilter names;

  private ManagedViews(
      Map<TableName, Set<TableName>> reach, List<String> searchPath, Set<TableName> relations) {
    this.reach = reach;
    this.searchPath = searchPath;
    this.relations = relations;
    this.names = new PreFilter(reach.keySet());
  }

  /** The views of {@code catalog} that reach a table of {@code plans}. */
  public static ManagedViews of(Catalog catalog, List<ColumnPlan> plans) {
    if (catalog.views().isEmpty()) {
      return NONE;
    }
    Set<TableName> managed = new HashSet<>();
    for (ColumnPlan p : plans) {
      managed.add(p.table());
    }
    Map<TableName, Set<TableName>> reach = new LinkedHashMap<>();
    List<TableName> views = catalog.views().keySet().stream().sorted(BY_NAME).toList();
    for (TableName view : views) {
      Set<TableName> tables = new LinkedHashSet<>();
      Set<TableName> seen = new HashSet<>();
      Deque<TableName> todo = new ArrayDeque<>(catalog.views().get(view));
      while (!todo.isEmpty()) {
        TableName r = todo.pop();
        if (!seen.add(r)) {
          continue;
        }
        if (managed.contains(r)) {
          tables.add(r);
        }
        todo.addAll(catalog.views().getOrDefault(r, Set.of()));
      }
      if (!tables.isEmpty()) {
        reach.put(view, Set.copyOf(tables));
      }
    }
    if (reach.isEmpty()) {
      return NONE;
    }
    Set<TableName> relations = new HashSet<>(catalog.tables().keySet());
    relations.addAll(catalog.views().keySet());
    return new ManagedViews(reach, catalog.searchPath(), relations);
  }

  private static final Comparator<TableName> BY_NAME =
      Comparator.comparing(TableName::schema).thenComparing(TableName::name);

  public boolean isEmpty() {
    return reach.isEmpty();
  }

  /** Stage one, as {@link PreFilter#mayTouch}: may the text name one of these views? */
  public boolean mayTouch(String sql) {
    return !reach.isEmpty() && names.mayTouch(sql);
  }

  /** The view this statement writes through, or {@code null}. */
  public Written writtenView(SqlTokens t, StatementKind kind) {
    if (reach.isEmpty()) {
      return null;
    }
    for (int i = 0, n = t.size(); i < n; i++) {
      if (t.kind(i) == SqlTokens.DOLLAR_STRING && kind == StatementKind.OPAQUE_WRITE) {
        Written w = mentionedIn(t.text(i));
        if (w != null) {
          return w;
        }
        continue;
      }
      if (!(t.isIdentifier(i) || t.isUnicodeIdentifier(i))) {
        continue;
      }
      String name = t.name(i);
      if (name == null || !names.isManagedName(name)) {
        continue;
      }
      if (i + 1 < n && t.kind(i + 1) == SqlTokens.DOT) {
        continue; // a qualifier (v.column), not the relation itself
      }
      String schema = null;
      int head = i;
      if (i >= 2 && t.kind(i - 1) == SqlTokens.DOT) {
        schema = t.name(i - 2);
        head = i - 2;
        if (head >= 2 && t.kind(head - 1) == SqlTokens.DOT) {
          head -= 2; // database.schema.view
        }
      }
      if (!isWriteTarget(t, head - 1, kind)) {
        continue;
      }
      TableName view = resolve(schema, name);
      Set<TableName> tables = view == null ? null : reach.get(view);
      if (tables != null) {
        return new Written(view, tables);
      }
    }
    return null;
  }

  private static boolean isWriteTarget(SqlTokens t, int p, StatementKind kind) {
    if (t.isKeyword(p, "only")) {
      p--;
    }
    if (t.isKeyword(p, "into")) {
      return true; // INSERT INTO, MERGE INTO (SELECT … INTO creates a table: an error here)
    }
    if (t.isKeyword(p, "update")) {
      // FOR UPDATE / FOR NO KEY UPDATE lock rows; OF lists the locked relations after it.
      return !t.isKeyword(p - 1, "for") && !t.isKeyword(p - 1, "key");
    }
    if (t.isKeyword(p, "from")) {
      return t.isKeyword(p - 1, "delete");
    }
    return t.isKeyword(p, "copy") && kind == StatementKind.COPY_FROM;
  }

  /** The relation a (possibly unqualified) name means, as PostgreSQL resolves it. */
  private TableName resolve(String schema, String name) {
    if (schema != null) {
      return new TableName(schema, name);
    }
    for (String s : searchPath) {
      TableName candidate = new TableName(s, name);
      if (relations.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** A view named in a DO block's body (code the router does not parse): assume it is written. */
  private Written mentionedIn(String body) {
    String lower = body.toLowerCase(Locale.ROOT);
    for (Map.Entry<TableName, Set<TableName>> e : reach.entrySet()) {
      if (lower.contains(e.getKey().name().toLowerCase(Locale.ROOT))) {
        return new Written(e.getKey(), e.getValue());
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ManagedViews" + reach;
  }
}
