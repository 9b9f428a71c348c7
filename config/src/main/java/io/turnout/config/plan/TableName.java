package io.turnout.config.plan;

import java.util.List;
import java.util.Objects;

/**
 * A schema-qualified table name, already case-folded the way PostgreSQL folds identifiers (unquoted
 * names lower-case, quoted names as written).
 */
public record TableName(String schema, String name) {
  public TableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Parses {@code users}, {@code public.users} or {@code "My Schema"."Users"}, folding unquoted
   * names; an unqualified name is in {@code public} (the plan file does not follow a search path,
   * so that a plan means the same table on every connection).
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static TableName parse(String text) {
    List<String> parts = Identifiers.split(text);
    return switch (parts.size()) {
      case 1 -> new TableName("public", parts.get(0));
      case 2 -> new TableName(parts.get(0), parts.get(1));
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' has too many parts (expected table or schema.table)");
    };
  }

  /** The name quoted for SQL where needed: {@code public.users}, {@code "App"."Users"}. */
  public String sql() {
    return Identifiers.quote(schema) + "." + Identifiers.quote(name);
  }

  /** {@code public.users} style, for messages and map keys. */
  public String qualified() {
    return schema + "." + name;
  }

  @Override
  public String toString() {
    return qualified();
  }
}
