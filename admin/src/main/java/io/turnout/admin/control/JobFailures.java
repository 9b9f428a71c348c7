package io.turnout.admin.control;

import io.turnout.admin.ddl.DdlException;
import io.turnout.admin.jobs.JobRefusedException;
import io.turnout.admin.store.ConflictException;
import java.sql.SQLException;

/** The one line a failed job shows, per kind of failure. */
final class JobFailures {
  private JobFailures() {}

  static String describe(Exception e) {
    if (e instanceof ConflictException c) {
      return "the migration's state changed while the job ran (version "
          + c.expectedVersion()
          + " → "
          + c.actualVersion()
          + "); its work is kept, run it again to record it";
    }
    if (e instanceof SQLException s) {
      return "database error"
          + (s.getSQLState() == null ? "" : " " + s.getSQLState())
          + ": "
          + s.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Failures that explain themselves: no stack trace in the log. */
  static boolean expected(Exception e) {
    return e instanceof TransitionRefusedException
        || e instanceof JobRefusedException
        || e instanceof DdlException
        || e instanceof ConflictException
        || e instanceof UnknownMigrationException;
  }
}
