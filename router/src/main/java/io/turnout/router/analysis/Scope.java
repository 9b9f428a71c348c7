package io.turnout.router.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One level of name resolution: the range variables of a SELECT (or DML statement) and the CTEs
 * declared at this level, with the enclosing level as parent (correlated references and CTE lookups
 * go outwards).
 */
public final class Scope {
  /** A CTE's name and the columns it produces ({@code null} when unknown). */
  public record Cte(String name, List<String> columns) {}

  private final Scope parent;
  private final List<RangeVar> vars = new ArrayList<>();
  private final Map<String, Cte> ctes = new HashMap<>();
  private boolean usingJoin;

  public Scope(Scope parent) {
    this.parent = parent;
  }

  public Scope parent() {
    return parent;
  }

  public List<RangeVar> vars() {
    return vars;
  }

  public void add(RangeVar v) {
    vars.add(v);
  }

  public void addCte(Cte cte) {
    ctes.put(cte.name(), cte);
  }

  /** The nearest CTE with this name, looking outwards. */
  public Cte cte(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      Cte c = s.ctes.get(name);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /** A JOIN … USING or NATURAL JOIN at this level merges columns, which changes {@code *}. */
  public void markUsingJoin() {
    usingJoin = true;
  }

  public boolean hasUsingJoin() {
    return usingJoin;
  }

  /** The range variable a qualified reference {@code [schema.]name.column} names, or null. */
  public RangeVar byName(String schema, String name) {
    for (Scope s = this; s != null; s = s.parent) {
      for (RangeVar v : s.vars) {
        if (v.name().equals(name) && (schema == null || schema.equals(v.schema()))) {
          return v;
        }
      }
    }
    return null;
  }

  /** Whether this scope is the innermost level holding {@code v} and holds nothing else. */
  public boolean isSoleVar(RangeVar v) {
    return vars.size() == 1 && vars.get(0) == v;
  }
}
