package io.turnout.router.rewrite;

import java.util.ArrayList;
import java.util.List;

/**
 * A select that evaluates a write's values once and derives the dual-written columns from the
 * result, {@code SELECT v.c1, …, derived(v.c1, …) FROM source AS v(c1, …)}: repeating a volatile
 * expression ({@code random()}, {@code nextval}, a sub-select) in a derived column would store a
 * second, different evaluation.
 */
final class SingleEvaluation {
  /** Alias of a VALUES list or row sub-select the rewrite selects from. */
  static final String VALUES_ALIAS = "turnout_v";

  /** Alias of the query of an INSERT … SELECT the rewrite selects from. */
  static final String SELECT_ALIAS = "turnout_s";

  private final String alias;
  private final List<String> refs;

  /** Over {@code width} source columns, named {@code alias.c1} … */
  SingleEvaluation(String alias, int width) {
    this.alias = alias;
    List<String> r = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) {
      r.add(alias + ".c" + i);
    }
    this.refs = List.copyOf(r);
  }

  /** The references to the source columns, in order: {@code alias.c1}, … */
  List<String> refs() {
    return refs;
  }

  /** {@code SELECT refs…, derived… FROM source AS alias(c1, …)}. */
  String select(List<String> derived, String source) {
    StringBuilder b = new StringBuilder("SELECT ").append(String.join(", ", refs));
    for (String d : derived) {
      b.append(", ").append(d);
    }
    b.append(" FROM ").append(source).append(" AS ").append(alias).append('(');
    for (int i = 1; i <= refs.size(); i++) {
      b.append(i > 1 ? ", " : "").append('c').append(i);
    }
    return b.append(')').toString();
  }
}
