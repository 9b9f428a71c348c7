package io.turnout.admin.usage;

/** Whether a statement used a migration's old names or its new ones. */
public enum NameUse {
  OLD("old"),
  NEW("new");

  private final String sql;

  NameUse(String sql) {
    this.sql = sql;
  }

  /** The value stored in {@code turnout.usage.names}. */
  public String sql() {
    return sql;
  }

  static NameUse ofSql(String value) {
    for (NameUse u : values()) {
      if (u.sql.equals(value)) {
        return u;
      }
    }
    throw new IllegalArgumentException("turnout.usage.names holds '" + value + "'");
  }
}
