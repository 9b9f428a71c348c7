package io.turnout.config.plan;

import java.util.Objects;

/**
 * A schema-qualified table name, already case-folded the way PostgreSQL folds identifiers
 * (unquoted names lower-case, quoted names as written).
 */
public record TableName(String schema, String name) {
  public TableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
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
