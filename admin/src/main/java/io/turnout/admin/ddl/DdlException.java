package io.turnout.admin.ddl;

import java.util.Optional;

/**
 * Planning or running DDL failed. The message names the migration, the phase, the table and, when a
 * statement failed, the step and its SQL; {@link #sqlState()} is PostgreSQL's SQLSTATE when the
 * database refused a statement.
 */
public final class DdlException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Optional<String> sqlState;

  public DdlException(String message) {
    super(message);
    this.sqlState = Optional.empty();
  }

  public DdlException(String message, Throwable cause, String sqlState) {
    super(message, cause);
    this.sqlState = Optional.ofNullable(sqlState);
  }

  public Optional<String> sqlState() {
    return sqlState == null ? Optional.empty() : sqlState;
  }
}
