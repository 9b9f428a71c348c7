package io.turnout.admin.jobs;

/**
 * A job cannot start: the table has no primary key, a column is missing, or another instance runs
 * the same job. The message is one line fit for the CLI and names the migration and table.
 */
public final class JobRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobRefusedException(String message) {
    super(message);
  }
}
