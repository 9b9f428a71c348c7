package io.turnout.router;

/**
 * Where a routed read finds the value its migration's reads are hashed by, when the plan says
 * {@code reads: { sticky: key_column }}: the key column compared for equality in the read's
 * top-level {@code WHERE}, to a parameter ({@code id = $1}, hashed at each execution by the value
 * bound) or to a literal ({@code id = 42}, known when the statement is planned). Either way the
 * value is hashed as its text, so one key takes one path whichever protocol carries it.
 *
 * @param parameter the 1-based {@code $n} bound to the key column, or 0 for a literal
 * @param literal the literal's value as text (quotes and doubled quotes removed), or null
 * @param typeOid the key column's type, by which a parameter sent in binary format is decoded
 */
public record StickyKey(int parameter, String literal, int typeOid) {
  public StickyKey {
    if ((parameter > 0) == (literal != null)) {
      throw new IllegalArgumentException("a sticky key is a parameter or a literal");
    }
  }

  public static StickyKey parameter(int n, int typeOid) {
    return new StickyKey(n, null, typeOid);
  }

  /** The key of a literal as written in SQL: a number, or a string in single quotes. */
  public static StickyKey literal(String sqlLiteral, int typeOid) {
    String value = sqlLiteral;
    if (value.length() >= 2 && value.charAt(0) == '\'' && value.endsWith("'")) {
      value = value.substring(1, value.length() - 1).replace("''", "'");
    }
    return new StickyKey(0, value, typeOid);
  }

  public boolean isParameter() {
    return parameter > 0;
  }
}
