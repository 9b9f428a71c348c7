package io.turnout.router.route;

import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.rewrite.ColumnPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Which migrations' old names and which new names a statement uses: the evidence behind {@code
 * turnout usage} and the contract guard (no statement using the old names for the soak time).
 *
 * <p>Lexical and conservative, so the guard errs towards "still used": a statement that mentions a
 * migration's table uses its old names when it names an old column or selects {@code *} (whose
 * shape changes when the old columns go), and its new names when it names a new column. A column
 * name that also belongs to another table counts too; a false "still used" delays a contract, a
 * false "unused" would break an application.
 */
public record NamesUsed(List<String> oldOf, List<String> newOf) {
  public static final NamesUsed NONE = new NamesUsed(List.of(), List.of());

  public NamesUsed {
    oldOf = List.copyOf(oldOf);
    newOf = List.copyOf(newOf);
  }

  public static NamesUsed of(SqlTokens tokens, List<ColumnPlan> plans) {
    List<String> old = null;
    List<String> neu = null;
    for (ColumnPlan p : plans) {
      if (!mentions(tokens, p.table().name())) {
        continue;
      }
      boolean usesOld = false;
      boolean usesNew = false;
      for (int i = 0; i < tokens.size() && !(usesOld && usesNew); i++) {
        String name = tokens.name(i);
        if (name != null) {
          usesOld |= p.isOld(name);
          usesNew |= p.isNew(name);
        } else if (tokens.kind(i) == SqlTokens.OPERATOR && "*".equals(tokens.text(i))) {
          usesOld = true;
        }
      }
      if (usesOld) {
        (old == null ? old = new ArrayList<>(2) : old).add(p.id());
      }
      if (usesNew) {
        (neu == null ? neu = new ArrayList<>(2) : neu).add(p.id());
      }
    }
    return old == null && neu == null
        ? NONE
        : new NamesUsed(old == null ? List.of() : old, neu == null ? List.of() : neu);
  }

  private static boolean mentions(SqlTokens tokens, String table) {
    for (int i = 0; i < tokens.size(); i++) {
      if (table.equals(tokens.name(i))) {
        return true;
      }
    }
    return false;
  }
}
