package io.turnout.config.validate;

import io.turnout.config.TurnoutConfig;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks migrations against what the database holds (a {@link Catalog}), without a connection. What
 * it checks depends on the migration's phase, because {@code expand} creates the new columns and
 * {@code contract} drops the old ones:
 *
 * <ul>
 *   <li>the table exists, and has a primary key or a unique index over NOT NULL columns (backfill
 *       and verify walk the table by key);
 *   <li>before {@code contracted}, the old columns exist;
 *   <li>at {@code planned}, a rename's target column does not exist yet. A transform's new columns
 *       may already exist (created by hand, or by an earlier attempt): {@code expand} then keeps
 *       them, and the expression check carries their type so the live check can confirm the forward
 *       expression fits. From {@code expanded} on, new columns must exist;
 *   <li>a rename's two columns have the same type once both exist;
 *   <li>{@code reads.key_column} exists;
 *   <li>each forward/backward expression parses, uses nothing a per-row expression must not, and
 *       reads only the columns it may (forward: old columns, backward: new columns).
 * </ul>
 *
 * <p>Whether an expression's functions resolve and its type fits needs PostgreSQL; each expression
 * comes back as an {@link ExpressionCheck} for a live checker to run.
 */
public final class PlanValidator {
  private PlanValidator() {}

  /** Validates every migration of the config against its backend's catalog. */
  public static ValidationResult validate(
      TurnoutConfig config, Map<String, Catalog> catalogsByBackend, StateSnapshot state) {
    ValidationResult result = ValidationResult.OK;
    for (Migration m : config.migrations()) {
      Catalog catalog = catalogsByBackend.get(m.backend());
      if (catalog == null) {
        result =
            result.plus(
                new ValidationResult(
                    List.of(
                        new PlanProblem(
                            m.id(),
                            "backend",
                            "no catalog was loaded for backend '" + m.backend() + "'")),
                    List.of()));
        continue;
      }
      result = result.plus(validate(m, catalog, state.phase(m.id())));
    }
    return result;
  }

  /** Validates migrations that all live in {@code catalog}'s database. */
  public static ValidationResult validate(
      List<? extends Migration> migrations, Catalog catalog, StateSnapshot state) {
    ValidationResult result = ValidationResult.OK;
    for (Migration m : migrations) {
      result = result.plus(validate(m, catalog, state.phase(m.id())));
    }
    return result;
  }

  /** Validates one migration at {@code phase}. */
  public static ValidationResult validate(Migration migration, Catalog catalog, Phase phase) {
    return new Run(migration, catalog, phase).run();
  }

  /** One validation: accumulates problems and checks for one migration. */
  private static final class Run {
    private final Migration m;
    private final Catalog catalog;
    private final Phase phase;
    private final List<PlanProblem> problems = new ArrayList<>();
    private final List<ExpressionCheck> checks = new ArrayList<>();

    Run(Migration m, Catalog catalog, Phase phase) {
      this.m = m;
      this.catalog = catalog;
      this.phase = phase;
    }

    ValidationResult run() {
      Optional<TableInfo> found = catalog.table(m.table());
      if (m instanceof TransformColumn t) {
        checkExpressionText(t, found);
      }
      if (found.isEmpty()) {
        List<String> names = new ArrayList<>();
        for (TableName n : catalog.tables().keySet()) {
          names.add(n.qualified());
        }
        String hint = Suggestions.hint(m.table().qualified(), names);
        problem(
            "table",
            "table "
                + m.table()
                + " does not exist on backend '"
                + m.backend()
                + "'"
                + (hint.isEmpty() ? "" : " (" + hint + ")"));
        return result();
      }
      TableInfo table = found.get();
      checkKey(table);
      boolean oldExist = phase != Phase.CONTRACTED;
      boolean newCreated = phase.compareTo(Phase.EXPANDED) >= 0;
      if (oldExist) {
        for (String c : m.oldColumns()) {
          requireColumn(table, c, setting(m, c, true), "");
        }
      }
      if (m instanceof RenameColumn r) {
        checkRenameTarget(table, r, newCreated);
      } else if (newCreated) {
        for (String c : m.newColumns()) {
          requireColumn(
              table,
              c,
              setting(m, c, false),
              ", but the migration is at " + phaseName() + " and expand creates it");
        }
      }
      m.reads().keyColumn().ifPresent(k -> requireColumn(table, k, "reads.key_column", ""));
      if (m instanceof TransformColumn t && problems.isEmpty() && oldExist) {
        addExpressionChecks(t, table);
      }
      return result();
    }

    /** Expressions read only their side's columns; {@code table}'s columns are also watched. */
    private void checkExpressionText(TransformColumn t, Optional<TableInfo> table) {
      List<String> known = new ArrayList<>(t.managedColumns());
      table.ifPresent(info -> info.columns().forEach(c -> known.add(c.name())));
      t.forward()
          .forEach(
              (column, expression) -> {
                for (String p :
                    ExpressionAnalysis.of(expression, t.table())
                        .problems(t.oldColumns(), "old", known)) {
                  problem("forward." + column, p);
                }
              });
      t.backward()
          .forEach(
              (column, expression) -> {
                for (String p :
                    ExpressionAnalysis.of(expression, t.table())
                        .problems(t.newColumns(), "new", known)) {
                  problem("backward." + column, p);
                }
              });
      for (String c : t.newColumns()) {
        if (!t.forward().containsKey(c)) {
          problem("forward", "no expression for new column '" + c + "'");
        }
      }
      for (String c : t.oldColumns()) {
        if (!t.backward().containsKey(c)) {
          problem("backward", "no expression for old column '" + c + "'");
        }
      }
    }

    private void checkRenameTarget(TableInfo table, RenameColumn r, boolean created) {
      Optional<ColumnInfo> to = table.column(r.to());
      if (!created) {
        if (to.isPresent()) {
          problem(
              "to",
              "column "
                  + m.table()
                  + "."
                  + r.to()
                  + " already exists, but the migration is at planned and expand creates it;"
                  + " drop it, or record the migration as expanded if expand made it");
        }
        return;
      }
      if (to.isEmpty()) {
        requireColumn(
            table,
            r.to(),
            "to",
            ", but the migration is at " + phaseName() + " and expand creates it");
        return;
      }
      Optional<ColumnInfo> from = table.column(r.from());
      if (from.isPresent() && !from.get().type().equals(to.get().type())) {
        problem(
            "to",
            "column "
                + r.to()
                + " is "
                + to.get().type()
                + " but "
                + r.from()
                + " is "
                + from.get().type()
                + "; a rename keeps the type (use transform_column to change it)");
      }
    }

    private void checkKey(TableInfo table) {
      if (!table.primaryKey().isEmpty()) {
        return;
      }
      for (IndexInfo index : table.indexes()) {
        if (index.unique()
            && !index.columns().isEmpty()
            && index.columns().stream()
                .allMatch(c -> table.column(c).map(ColumnInfo::notNull).orElse(false))) {
          return;
        }
      }
      problem(
          "table",
          "table "
              + m.table()
              + " has no primary key and no unique index over NOT NULL columns; backfill and"
              + " verify walk the table by key");
    }

    private void requireColumn(TableInfo table, String column, String setting, String why) {
      if (table.column(column).isPresent()) {
        return;
      }
      List<String> names = new ArrayList<>();
      for (ColumnInfo c : table.columns()) {
        names.add(c.name());
      }
      String hint = Suggestions.hint(column, names);
      problem(
          setting,
          "column "
              + m.table()
              + "."
              + column
              + " does not exist"
              + why
              + (hint.isEmpty() ? "" : " (" + hint + ")"));
    }

    private void addExpressionChecks(TransformColumn t, TableInfo table) {
      String from = " FROM " + t.table().sql() + " WHERE false";
      for (Map.Entry<String, String> e : t.forward().entrySet()) {
        checks.add(
            new ExpressionCheck(
                t.id(),
                t.table(),
                ExpressionCheck.Direction.FORWARD,
                e.getKey(),
                e.getValue(),
                table.column(e.getKey()).map(ColumnInfo::type),
                "SELECT (" + e.getValue() + ") AS " + Identifiers.quote(e.getKey()) + from));
      }
      boolean newExist = t.newColumns().stream().allMatch(c -> table.column(c).isPresent());
      String source;
      if (newExist) {
        source = from;
      } else {
        // New columns do not exist yet: compute them as expand and backfill would.
        StringBuilder derived = new StringBuilder(" FROM (SELECT ");
        String sep = "";
        for (Map.Entry<String, String> e : t.forward().entrySet()) {
          derived.append(sep).append('(').append(e.getValue()).append(") AS ");
          derived.append(Identifiers.quote(e.getKey()));
          sep = ", ";
        }
        source = derived.append(from).append(") AS t").toString();
      }
      for (Map.Entry<String, String> e : t.backward().entrySet()) {
        checks.add(
            new ExpressionCheck(
                t.id(),
                t.table(),
                ExpressionCheck.Direction.BACKWARD,
                e.getKey(),
                e.getValue(),
                table.column(e.getKey()).map(ColumnInfo::type),
                "SELECT (" + e.getValue() + ") AS " + Identifiers.quote(e.getKey()) + source));
      }
    }

    private static String setting(Migration m, String column, boolean old) {
      if (m instanceof RenameColumn) {
        return old ? "from" : "to";
      }
      List<String> list = old ? m.oldColumns() : m.newColumns();
      return (old ? "old" : "new") + "[" + list.indexOf(column) + "]";
    }

    private String phaseName() {
      return phase.name().toLowerCase(Locale.ROOT);
    }

    private void problem(String setting, String message) {
      problems.add(new PlanProblem(m.id(), setting, message));
    }

    private ValidationResult result() {
      return new ValidationResult(problems, checks);
    }
  }
}
