package io.turnout.router.rewrite;

/**
 * A value a write assigns to a column, as the dual-write rewrite must know it.
 *
 * @param text its SQL text, with the rewrite's edits inside it applied
 * @param stable whether it may be evaluated twice with the same result
 * @param untyped whether PostgreSQL types it from the column it is assigned to (a parameter, a
 *     string literal, NULL), so that a copy elsewhere needs a cast
 */
record WrittenValue(String text, boolean stable, boolean untyped) {}
