package io.turnout.router.catalog;

import io.turnout.config.catalog.Catalog;
import io.turnout.router.lexical.SqlTokens;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The router's catalog supplier: an immutable snapshot read without I/O on the request path,
 * replaced by {@link #refresh} off it (at start, and after the proxy sees DDL succeed — {@link
 * #changesSchema} tells which statements those are). Handing the router a new snapshot drops the
 * decisions it cached under the old one.
 */
public final class CatalogSource implements Supplier<Catalog> {
  private volatile Catalog current;

  public CatalogSource(Catalog initial) {
    this.current = Objects.requireNonNull(initial, "initial");
  }

  /** Loads a catalog over {@code connection} (blocking). */
  public static CatalogSource load(Connection connection) throws SQLException {
    return new CatalogSource(CatalogLoader.load(connection));
  }

  @Override
  public Catalog get() {
    return current;
  }

  /** Reloads over {@code connection} (blocking: call it on an executor, never an event loop). */
  public Catalog refresh(Connection connection) throws SQLException {
    Catalog next = CatalogLoader.load(connection);
    current = next;
    return next;
  }

  /** Replaces the snapshot (for tests and for callers that load it themselves). */
  public void set(Catalog catalog) {
    current = Objects.requireNonNull(catalog, "catalog");
  }

  /**
   * Whether a statement may change what the catalog holds: CREATE, ALTER, DROP, COMMENT ON, IMPORT
   * FOREIGN SCHEMA, or a DO block. After one succeeds the catalog should be refreshed.
   */
  public static boolean changesSchema(String sql) {
    SqlTokens t = SqlTokens.scan(sql);
    int i = 0;
    while (i < t.size() && t.kind(i) == SqlTokens.LPAREN) {
      i++;
    }
    return t.isKeyword(i, "create")
        || t.isKeyword(i, "alter")
        || t.isKeyword(i, "drop")
        || t.isKeyword(i, "import")
        || t.isKeyword(i, "do")
        || (t.isKeyword(i, "comment") && t.isKeyword(i + 1, "on"));
  }
}
