package io.turnout.admin.ddl;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Computes the {@code contract} DDL of a migration: {@code DROP COLUMN IF EXISTS} for each old
 * column, which drops its indexes and constraints with it, and nothing else. Without {@code
 * CASCADE}: a view or foreign key that still uses an old column makes PostgreSQL refuse the drop,
 * which is the answer an operator needs before data goes away.
 */
public final class ContractPlanner {
  private ContractPlanner() {}

  /**
   * The contract plan.
   *
   * @throws DdlException when the table or one of the new columns does not exist: dropping the old
   *     columns then would drop the only copy of their data
   */
  public static DdlPlan plan(Migration migration, Catalog catalog) throws DdlException {
    TableInfo table =
        catalog
            .table(migration.table())
            .orElseThrow(
                () ->
                    new DdlException(
                        "migration '"
                            + migration.id()
                            + "': contract: table "
                            + migration.table()
                            + " does not exist"));
    for (String column : migration.newColumns()) {
      if (table.column(column).isEmpty()) {
        throw new DdlException(
            "migration '"
                + migration.id()
                + "': contract refused: new column "
                + column
                + " of "
                + table.name()
                + " does not exist, so dropping "
                + String.join(", ", migration.oldColumns())
                + " would lose its data (run expand and backfill first)");
      }
    }
    TableName t = table.name();
    List<DdlStep> steps = new ArrayList<>();
    for (String column : migration.oldColumns()) {
      steps.add(
          new DdlStep(
              t,
              "ALTER TABLE " + t.sql() + " DROP COLUMN IF EXISTS " + Identifiers.quote(column),
              "drop old column " + column + " of " + t + " (with its indexes and constraints)",
              true,
              false,
              Optional.of(Guards.columnAbsent(t, column)),
              Optional.empty()));
    }
    return new DdlPlan(migration.id(), DdlPlan.Phase.CONTRACT, steps);
  }
}
