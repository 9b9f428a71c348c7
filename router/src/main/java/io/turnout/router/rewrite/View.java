package io.turnout.router.rewrite;

import java.util.Map;
import java.util.Set;

/**
 * How one variant of a statement treats each active migration: in which columns references are
 * expressed ({@link Side}) and whether writes are dual-written.
 *
 * @param sides per migration id; a migration not listed is {@link Side#AS_IS}
 * @param dualWrite ids of the migrations whose writes keep old and new columns in sync
 */
public record View(Map<String, Side> sides, Set<String> dualWrite) {
  /** The columns a reference to a managed column is expressed in. */
  public enum Side {
    /** Old columns: new-column references become forward expressions over the old ones. */
    OLD,
    /** New columns: old-column references become backward expressions over new, cast back. */
    NEW,
    /** Leave references as written (both sides are current). */
    AS_IS
  }

  public View {
    sides = Map.copyOf(sides);
    dualWrite = Set.copyOf(dualWrite);
  }

  public Side side(ColumnPlan plan) {
    return sides.getOrDefault(plan.id(), Side.AS_IS);
  }

  public boolean dualWrites(ColumnPlan plan) {
    return dualWrite.contains(plan.id());
  }
}
