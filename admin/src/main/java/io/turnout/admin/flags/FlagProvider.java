package io.turnout.admin.flags;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;

/**
 * Decides, per read, whether a sticky key reads from the new schema. Every implementation stays
 * under {@link ReadCeiling}: a phase that does not allow reads on new gives {@code false} whatever
 * the provider would say, and a provider can only lower the lifecycle's percentage, never raise it.
 *
 * <p>{@link #readsNew} is called on the request path: it must not block or do I/O, and must be safe
 * from any thread.
 */
public interface FlagProvider extends AutoCloseable {
  /** True when this read, identified by {@code stickyKey}, is served by the new schema. */
  boolean readsNew(Migration migration, MigrationState state, String stickyKey);

  /** One line for health output, e.g. {@code unleash http://…: last fetch ok 3 s ago}. */
  String describe();

  /** Stops background work (polling); idempotent. */
  @Override
  void close();
}
