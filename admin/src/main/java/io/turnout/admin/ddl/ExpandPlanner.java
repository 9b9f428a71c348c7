package io.turnout.admin.ddl;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Computes the {@code expand} DDL of a migration: the new columns, and for a rename everything that
 * makes the new column behave like the old one.
 *
 * <p>For {@code rename_column from → to}, in this order:
 *
 * <ol>
 *   <li>{@code ADD COLUMN IF NOT EXISTS to <from's type>}, without a default, so PostgreSQL never
 *       rewrites the table (a volatile default would) and the ACCESS EXCLUSIVE lock lasts
 *       milliseconds;
 *   <li>{@code ALTER COLUMN to SET DEFAULT <from's default>}, for rows inserted from now on;
 *   <li>for a NOT NULL {@code from}: {@code ADD CONSTRAINT <table>_<to>_not_null CHECK (to IS NOT
 *       NULL) NOT VALID} (instant), then {@code VALIDATE CONSTRAINT} as a separate statement, which
 *       scans the table under a lock that does not block reads or writes;
 *   <li>a copy of every index that uses {@code from} (key column, expression, INCLUDE or
 *       predicate), unique or not, with {@code to} in its place, built {@code CREATE INDEX
 *       CONCURRENTLY IF NOT EXISTS}.
 * </ol>
 *
 * <p>For {@code transform_column}: {@code ADD COLUMN IF NOT EXISTS} for each new column, nullable,
 * of the type PostgreSQL gives its forward expression; a new column that already exists is kept if
 * the forward expression's value fits it, and refused otherwise.
 *
 * <p>The plan always holds every step (so a dry run shows the whole change); each step carries a
 * guard that makes the runner skip it when its effect is already there.
 */
public final class ExpandPlanner {
  /** When a rename's copied NOT NULL is added. */
  public enum NotNull {
    /**
     * In the expand plan, validated there: what the plan describes. Validation fails while rows
     * hold NULL in the new column, and PostgreSQL enforces even a NOT VALID check on every row
     * written, so this fits an empty table, or a table whose writes already set the new column.
     */
    WITH_EXPAND,
    /**
     * Left out of the expand plan, to be run with {@link #notNullPlan} once dual-write and backfill
     * have filled the new column.
     */
    LATER
  }

  private final ExpressionTypes types;

  /** {@code types} answers for transforms; a plan of renames never calls it. */
  public ExpandPlanner(ExpressionTypes types) {
    this.types = Objects.requireNonNull(types, "types");
  }

  /** The expand plan, NOT NULL checks {@link NotNull#WITH_EXPAND included}. */
  public DdlPlan plan(Migration migration, Catalog catalog) throws DdlException {
    return plan(migration, catalog, NotNull.WITH_EXPAND);
  }

  public DdlPlan plan(Migration migration, Catalog catalog, NotNull notNull) throws DdlException {
    TableInfo table = table(migration, catalog);
    List<DdlStep> steps = new ArrayList<>();
    switch (migration.kind()) {
      case RenameColumn.KIND -> rename((RenameColumn) migration, table, notNull, steps);
      case TransformColumn.KIND -> transform((TransformColumn) migration, table, steps);
      default ->
          throw new DdlException(
              "migration '"
                  + migration.id()
                  + "': expand of kind '"
                  + migration.kind()
                  + "'"
                  + " is not supported");
    }
    return new DdlPlan(migration.id(), DdlPlan.Phase.EXPAND, steps);
  }

  /**
   * Only the CHECK that stands for the old column's NOT NULL, added NOT VALID and validated: for a
   * rename expanded with {@link NotNull#LATER}, once the new column holds a value in every row.
   * Empty for a nullable old column and for a transform (its new columns are nullable).
   */
  public DdlPlan notNullPlan(Migration migration, Catalog catalog) throws DdlException {
    TableInfo table = table(migration, catalog);
    List<DdlStep> steps = new ArrayList<>();
    if (migration.kind().equals(RenameColumn.KIND)) {
      RenameColumn rename = (RenameColumn) migration;
      if (oldColumn(rename, table, rename.from()).notNull()) {
        notNullSteps(table.name(), rename.to(), steps);
      }
    }
    return new DdlPlan(migration.id(), DdlPlan.Phase.EXPAND, steps);
  }

  private static void rename(RenameColumn m, TableInfo table, NotNull notNull, List<DdlStep> steps)
      throws DdlException {
    TableName t = table.name();
    ColumnInfo from = oldColumn(m, table, m.from());
    Optional<ColumnInfo> existing = table.column(m.to());
    if (existing.isPresent() && !existing.get().type().equals(from.type())) {
      throw new DdlException(
          "migration '"
              + m.id()
              + "': expand: column "
              + m.to()
              + " of "
              + t
              + " already exists as "
              + existing.get().type()
              + ", but "
              + m.from()
              + " is "
              + from.type()
              + " (a rename's two columns must have the same type)");
    }
    String to = Identifiers.quote(m.to());
    steps.add(
        new DdlStep(
            t,
            "ALTER TABLE " + t.sql() + " ADD COLUMN IF NOT EXISTS " + to + " " + from.type(),
            "add column " + m.to() + " " + from.type() + " to " + t,
            true,
            false,
            Optional.of(Guards.columnExists(t, m.to())),
            Optional.empty()));
    if (from.defaultExpression().isPresent()) {
      String expression = from.defaultExpression().get();
      steps.add(
          new DdlStep(
              t,
              "ALTER TABLE " + t.sql() + " ALTER COLUMN " + to + " SET DEFAULT " + expression,
              "set default of " + m.to() + " to " + expression,
              true,
              false,
              Optional.of(Guards.defaultIs(t, m.to(), expression)),
              Optional.empty()));
    }
    if (from.notNull() && notNull == NotNull.WITH_EXPAND) {
      notNullSteps(t, m.to(), steps);
    }
    for (IndexInfo index : table.indexes()) {
      IndexDefinition definition;
      try {
        definition = IndexDefinition.parse(index.definition());
      } catch (IllegalArgumentException e) {
        throw new DdlException(
            "migration '"
                + m.id()
                + "': expand: index "
                + index.name()
                + " of "
                + t
                + ": "
                + e.getMessage());
      }
      if (!definition.mentions(m.from())) {
        continue;
      }
      String name = DdlNames.indexCopy(index.name(), m.from(), m.to());
      TableName qualified = new TableName(t.schema(), name);
      steps.add(
          new DdlStep(
              t,
              definition.copySql(name, m.from(), m.to()),
              "build "
                  + (definition.unique() ? "unique " : "")
                  + "index "
                  + name
                  + " on "
                  + m.to()
                  + " (copy of "
                  + index.name()
                  + ")",
              false,
              true,
              Optional.of(
                  Guards.indexBuilt(
                      t, qualified, definition.expectedDefinitionSql(name, m.from(), m.to()))),
              Optional.of(qualified)));
    }
  }

  private static void notNullSteps(TableName t, String column, List<DdlStep> steps) {
    String constraint = DdlNames.notNullConstraint(t.name(), column);
    String quoted = Identifiers.quote(constraint);
    steps.add(
        new DdlStep(
            t,
            "ALTER TABLE "
                + t.sql()
                + " ADD CONSTRAINT "
                + quoted
                + " CHECK ("
                + Identifiers.quote(column)
                + " IS NOT NULL) NOT VALID",
            "add check " + constraint + " (" + column + " is not null), not yet validated",
            true,
            false,
            Optional.of(Guards.constraintExists(t, constraint)),
            Optional.empty()));
    steps.add(
        new DdlStep(
            t,
            "ALTER TABLE " + t.sql() + " VALIDATE CONSTRAINT " + quoted,
            "validate check " + constraint + " (scans the table, does not block writes)",
            true,
            true,
            Optional.of(Guards.constraintValidated(t, constraint)),
            Optional.empty()));
  }

  private void transform(TransformColumn m, TableInfo table, List<DdlStep> steps)
      throws DdlException {
    TableName t = table.name();
    for (String old : m.oldColumns()) {
      oldColumn(m, table, old);
    }
    for (String column : m.newColumns()) {
      String expression = m.forward().get(column);
      if (expression == null) {
        throw new DdlException(
            "migration '" + m.id() + "': expand: forward has no expression for " + column);
      }
      String type;
      Optional<ColumnInfo> existing = table.column(column);
      try {
        type = types.typeOf(t, expression);
        if (existing.isPresent()
            && !existing.get().type().equals(type)
            && !types.fits(t, expression, existing.get().type())) {
          throw new DdlException(
              "migration '"
                  + m.id()
                  + "': expand: column "
                  + column
                  + " of "
                  + t
                  + " already exists as "
                  + existing.get().type()
                  + ", which cannot store forward."
                  + column
                  + " ("
                  + expression
                  + ") of type "
                  + type);
        }
      } catch (SQLException e) {
        throw new DdlException(
            "migration '"
                + m.id()
                + "': expand: forward."
                + column
                + " ("
                + expression
                + ") on "
                + t
                + ": "
                + e.getMessage(),
            e,
            e.getSQLState());
      }
      String declared = existing.map(ColumnInfo::type).orElse(type);
      steps.add(
          new DdlStep(
              t,
              "ALTER TABLE "
                  + t.sql()
                  + " ADD COLUMN IF NOT EXISTS "
                  + Identifiers.quote(column)
                  + " "
                  + declared,
              "add column "
                  + column
                  + " "
                  + declared
                  + " to "
                  + t
                  + " (forward: "
                  + expression
                  + ")",
              true,
              false,
              Optional.of(Guards.columnExists(t, column)),
              Optional.empty()));
    }
  }

  private static TableInfo table(Migration m, Catalog catalog) throws DdlException {
    return catalog
        .table(m.table())
        .orElseThrow(
            () ->
                new DdlException(
                    "migration '" + m.id() + "': table " + m.table() + " does not exist"));
  }

  private static ColumnInfo oldColumn(Migration m, TableInfo table, String column)
      throws DdlException {
    return table
        .column(column)
        .orElseThrow(
            () ->
                new DdlException(
                    "migration '"
                        + m.id()
                        + "': expand: column "
                        + column
                        + " of "
                        + table.name()
                        + " does not exist"));
  }
}
