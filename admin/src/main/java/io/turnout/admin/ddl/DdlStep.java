package io.turnout.admin.ddl;

import io.turnout.config.plan.TableName;
import java.util.Objects;
import java.util.Optional;

/**
 * One DDL statement of a {@link DdlPlan}.
 *
 * @param table the table the statement changes (the runner lists who holds locks on it when the
 *     statement times out waiting for its lock)
 * @param sql the statement, without a trailing semicolon
 * @param description what it does, for people ({@code add column email_address})
 * @param transactional whether it may run inside a transaction block; {@code CREATE INDEX
 *     CONCURRENTLY} and {@code DROP INDEX CONCURRENTLY} may not
 * @param scansTable whether it reads the whole table (index builds, {@code VALIDATE CONSTRAINT});
 *     the runner turns {@code statement_timeout} off for it, since such a statement legitimately
 *     runs for as long as the table is large and holds no lock that blocks the application
 * @param doneWhen a query that returns a row when the step's effect is already in place; the runner
 *     then skips the step without taking any lock, which is what makes re-running a plan safe and
 *     cheap
 * @param index the index this step builds, when it builds one: the runner drops an INVALID index of
 *     that name (left by a failed {@code CONCURRENTLY} build) before building it again, and checks
 *     afterwards that a valid index of that name exists on {@code table}
 */
public record DdlStep(
    TableName table,
    String sql,
    String description,
    boolean transactional,
    boolean scansTable,
    Optional<String> doneWhen,
    Optional<TableName> index) {
  public DdlStep {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(doneWhen, "doneWhen");
    Objects.requireNonNull(index, "index");
  }
}
