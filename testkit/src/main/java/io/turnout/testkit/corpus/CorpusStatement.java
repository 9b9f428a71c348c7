package io.turnout.testkit.corpus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * One statement of shared/corpus/statements.sql.
 *
 * @param id unique id, e.g. {@code hib01}
 * @param category SELECT, INSERT, UPDATE, DELETE, PGSPEC or UTILITY
 * @param source where its style comes from, e.g. {@code hibernate5}, {@code rails}
 * @param tags free-form tags, e.g. {@code noexec} for statements that cannot run in a rolled-back
 *     transaction
 * @param params sample parameter values exactly as written: SQL literals such as {@code 'paid'},
 *     {@code 10.50}, {@code true}, {@code NULL}, {@code '{a,b}'}; see {@link #paramValues()} for
 *     their text values
 * @param sql the statement text, {@code ?} or {@code $n} placeholders, no trailing newline
 */
public record CorpusStatement(
    String id, String category, String source, Set<String> tags, List<String> params, String sql) {

  public CorpusStatement {
    tags = Collections.unmodifiableSet(new java.util.LinkedHashSet<>(tags));
    params = List.copyOf(params);
  }

  public boolean hasTag(String tag) {
    return tags.contains(tag);
  }

  /**
   * Parameter values as text, the way a driver sends an untyped parameter: quotes removed and
   * {@code ''} unescaped for string literals (a {@code ::type} cast dropped), {@code null} for
   * {@code NULL}, numbers and booleans as written. The list may contain nulls.
   */
  public List<String> paramValues() {
    List<String> values = new ArrayList<>(params.size());
    for (String p : params) {
      values.add(CorpusParser.literalValue(p));
    }
    return Collections.unmodifiableList(values);
  }

  @Override
  public String toString() {
    return id + " [" + category + ", " + source + "]";
  }
}
