package io.turnout.admin.control;

import io.turnout.admin.lifecycle.Decision;
import io.turnout.admin.lifecycle.Decision.Allowed;
import io.turnout.admin.lifecycle.Decision.Refused;
import io.turnout.admin.lifecycle.Decision.Unchanged;
import io.turnout.admin.lifecycle.Evidence;
import io.turnout.admin.lifecycle.Lifecycle;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.lifecycle.Request;
import io.turnout.admin.store.Change;
import io.turnout.admin.store.ConflictException;
import io.turnout.admin.store.StateStore;
import io.turnout.admin.usage.NameUse;
import io.turnout.admin.usage.UsageRow;
import io.turnout.config.plan.Migration;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Carries out one transition: reads the migration's record and the guards' evidence, asks {@link
 * Lifecycle}, and stores an allowed change with a compare-and-set on the version it read — so of
 * two operators racing, one succeeds and the other gets a {@link ConflictException}. A refusal
 * changes nothing (no version, no audit row). Blocking (JDBC).
 */
public final class Transitions {
  /** Where the guards' measurements come from, beyond the record itself. */
  @FunctionalInterface
  public interface EvidenceSource {
    Evidence gather(Migration migration) throws SQLException;
  }

  /** What a transition did: the record now stored, and whether anything changed. */
  public record Outcome(MigrationRecord record, boolean changed, String reason) {}

  private final Map<String, Migration> plan = new LinkedHashMap<>();
  private final StateStore store;
  private final EvidenceSource evidence;

  public Transitions(List<? extends Migration> plan, StateStore store, EvidenceSource evidence) {
    plan.forEach(m -> this.plan.put(m.id(), m));
    this.store = Objects.requireNonNull(store, "store");
    this.evidence = Objects.requireNonNull(evidence, "evidence");
  }

  /**
   * Evidence from the state store's database: shadow totals, and the last statement any instance
   * saw using the migration's old names (flushed usage; the contract guard's soak dwarfs the flush
   * interval).
   */
  public static EvidenceSource storeEvidence(StateStore store, Clock clock) {
    return m -> {
      long[] shadow = store.shadowTotals(m.id());
      Optional<UsageRow> lastOld =
          store.usage(m.id()).rows().stream()
              .filter(r -> r.names() == NameUse.OLD)
              .max(Comparator.comparing(UsageRow::lastSeen));
      return new Evidence(
          clock.instant(),
          shadow[0],
          shadow[1],
          lastOld.map(UsageRow::lastSeen),
          lastOld.map(Transitions::who),
          0,
          store.missingColumns(m.table(), m.newColumns()));
    };
  }

  private static String who(UsageRow r) {
    return "application_name '"
        + r.applicationName()
        + "', role "
        + r.role()
        + ", client "
        + r.clientAddress();
  }

  public Migration migration(String id) throws UnknownMigrationException {
    Migration m = plan.get(id);
    if (m == null) {
      throw new UnknownMigrationException(id, plan.keySet());
    }
    return m;
  }

  /**
   * What {@link #apply} would decide now, without storing anything: jobs ask before they run their
   * DDL or batches, so a refused job touches nothing. Returns the record it was decided on.
   *
   * @throws TransitionRefusedException if a guard refuses
   */
  public MigrationRecord check(String id, Request request)
      throws UnknownMigrationException, TransitionRefusedException, SQLException {
    Migration m = migration(id);
    MigrationRecord current = store.load().record(id);
    if (Lifecycle.decide(m, current, request, evidence.gather(m)) instanceof Refused refused) {
      throw new TransitionRefusedException(id, refused);
    }
    return current;
  }

  /** The record of {@code id} as stored now. */
  public MigrationRecord record(String id) throws UnknownMigrationException, SQLException {
    migration(id);
    return store.load().record(id);
  }

  /**
   * Applies {@code request} to migration {@code id}.
   *
   * @param expectedVersion the version the operator saw, if they name one: a change based on an
   *     older view is a conflict even when the guards would allow it
   * @param verifyDrift for {@link io.turnout.admin.lifecycle.Action#VERIFY}: the drift measured
   */
  public Outcome apply(
      String id,
      Request request,
      OptionalLong expectedVersion,
      long verifyDrift,
      String actor,
      Optional<String> clientAddress)
      throws UnknownMigrationException,
          TransitionRefusedException,
          ConflictException,
          SQLException {
    Migration m = migration(id);
    MigrationRecord current = store.load().record(id);
    if (expectedVersion.isPresent() && expectedVersion.getAsLong() != current.version()) {
      throw new ConflictException(id, expectedVersion.getAsLong(), current.version(), null);
    }
    Decision d =
        Lifecycle.decide(m, current, request, evidence.gather(m).withVerifyDrift(verifyDrift));
    if (d instanceof Refused refused) {
      throw new TransitionRefusedException(id, refused);
    }
    if (d instanceof Unchanged unchanged) {
      return new Outcome(current, false, unchanged.reason());
    }
    Allowed allowed = (Allowed) d;
    MigrationRecord stored =
        store.apply(
            new Change(
                current, allowed.next(), request.action(), actor, clientAddress, allowed.reason()));
    return new Outcome(stored, true, allowed.reason());
  }
}
