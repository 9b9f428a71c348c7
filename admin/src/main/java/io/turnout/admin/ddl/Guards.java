package io.turnout.admin.ddl;

import io.turnout.config.plan.TableName;

/**
 * The {@link DdlStep#doneWhen()} queries: each returns a row exactly when a step's effect is
 * already in place. They read only the system catalogs (a {@code regclass} cast takes no lock on
 * the table), so checking a step never waits behind the application.
 */
final class Guards {
  private Guards() {}

  static String columnExists(TableName table, String column) {
    return "SELECT 1 FROM pg_attribute WHERE attrelid = "
        + regclass(table)
        + " AND attname = "
        + literal(column)
        + " AND attnum > 0 AND NOT attisdropped";
  }

  static String columnAbsent(TableName table, String column) {
    return "SELECT 1 WHERE NOT EXISTS (" + columnExists(table, column) + ")";
  }

  /** The column's default prints exactly as {@code expression} (as {@code pg_get_expr} prints). */
  static String defaultIs(TableName table, String column, String expression) {
    return "SELECT 1 FROM pg_attrdef d JOIN pg_attribute a"
        + " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
        + " WHERE d.adrelid = "
        + regclass(table)
        + " AND a.attname = "
        + literal(column)
        + " AND pg_get_expr(d.adbin, d.adrelid) = "
        + literal(expression);
  }

  static String constraintExists(TableName table, String constraint) {
    return "SELECT 1 FROM pg_constraint WHERE conrelid = "
        + regclass(table)
        + " AND conname = "
        + literal(constraint);
  }

  static String constraintValidated(TableName table, String constraint) {
    return constraintExists(table, constraint) + " AND convalidated";
  }

  /**
   * A valid index of that name exists on the table and prints as {@code expectedDefinition} (a SQL
   * expression); an INVALID index, or another index under the same name, does not count.
   */
  static String indexBuilt(TableName table, TableName index, String expectedDefinition) {
    return "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE i.indrelid = "
        + regclass(table)
        + " AND n.nspname = "
        + literal(index.schema())
        + " AND c.relname = "
        + literal(index.name())
        + " AND i.indisvalid AND pg_get_indexdef(i.indexrelid) = ("
        + expectedDefinition
        + ")";
  }

  static String regclass(TableName table) {
    return literal(table.sql()) + "::regclass";
  }

  /** A standard string constant (standard_conforming_strings is on since PostgreSQL 9.1). */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
