package io.turnout.admin.lifecycle;

import static io.turnout.config.state.Phase.BACKFILLED;
import static io.turnout.config.state.Phase.CONTRACTED;
import static io.turnout.config.state.Phase.DUAL_WRITE;
import static io.turnout.config.state.Phase.EXPANDED;
import static io.turnout.config.state.Phase.PLANNED;
import static io.turnout.config.state.Phase.READS;
import static io.turnout.config.state.Phase.READS_NEW;
import static io.turnout.config.state.Phase.VERIFIED;
import static io.turnout.config.state.Phase.WRITES_NEW;

import io.turnout.admin.lifecycle.Decision.Allowed;
import io.turnout.admin.lifecycle.Decision.Refused;
import io.turnout.admin.lifecycle.Decision.Unchanged;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lifecycle of one migration as a pure function: (plan, current record, request, evidence) →
 * {@link Decision}. No I/O: the caller gathers the {@link Evidence}, and stores an {@link Allowed}
 * result with a compare-and-set on the record's version.
 *
 * <pre>
 * planned → expanded → dual_write → backfilled → verified → reads(p%) → reads_new → writes_new → contracted
 * </pre>
 *
 * Rollback is one step back towards the old schema, and always moves reads first: from any reads
 * phase straight to verified (0% new, dual-write kept so a new ramp needs no backfill), from
 * dual_write/backfilled/verified to expanded (dual-write off), from expanded to planned (the new
 * columns stay; only contract drops columns).
 */
public final class Lifecycle {
  private Lifecycle() {}

  public static Decision decide(
      Migration plan, MigrationRecord current, Request request, Evidence evidence) {
    Phase phase = current.phase();
    if (phase == CONTRACTED) {
      return refusePhase(current, request, "the migration is contracted, which is irreversible");
    }
    return switch (request.action()) {
      case EXPAND -> expand(current, evidence);
      case DUAL_WRITE_ON -> dualWriteOn(current, evidence);
      case DUAL_WRITE_OFF -> dualWriteOff(current, evidence);
      case BACKFILL -> backfill(current, evidence);
      case VERIFY -> verify(current, evidence);
      case SHADOW -> shadow(current, request.percent());
      case READS -> reads(plan, current, request.percent(), evidence);
      case WRITES_NEW -> writesNew(current, evidence);
      case ROLLBACK -> rollback(current, evidence);
      case CONTRACT -> contract(plan, current, request, evidence);
    };
  }

  private static Decision expand(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case PLANNED ->
          allowed(
              to(r, EXPANDED, e),
              "SELECT * keeps the old shape from here on; the new columns follow");
      case EXPANDED -> new Unchanged("already expanded (expand DDL re-run, nothing changed)");
      default -> refusePhase(r, Request.of(Action.EXPAND), "expand is done already");
    };
  }

  private static Decision dualWriteOn(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case EXPANDED ->
          e.missingNewColumns().isEmpty()
              ? allowed(to(r, DUAL_WRITE, e), "writes now keep old and new columns in sync")
              : new Refused(
                  Guard.EXPANDED_COLUMNS,
                  "expand has not finished: the table has no column "
                      + String.join(", ", e.missingNewColumns())
                      + " yet (writes would be refused); run turnout expand "
                      + r.migrationId()
                      + " again",
                  String.join(",", e.missingNewColumns()),
                  "");
      case PLANNED -> refusePhase(r, Request.of(Action.DUAL_WRITE_ON), "run expand first");
      default -> new Unchanged("dual-write is already on (phase " + name(r.phase()) + ")");
    };
  }

  private static Decision dualWriteOff(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case DUAL_WRITE, BACKFILLED, VERIFIED ->
          allowed(
              to(r, EXPANDED, e).withoutVerification(),
              "dual-write off: new columns no longer kept");
      case PLANNED, EXPANDED -> new Unchanged("dual-write is already off");
      default ->
          refusePhase(
              r,
              Request.of(Action.DUAL_WRITE_OFF),
              "reads are on the new path ("
                  + r.effectiveReadPercent()
                  + "%); run rollback first, which moves them back");
    };
  }

  private static Decision backfill(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case DUAL_WRITE ->
          allowed(to(r, BACKFILLED, e).withBackfilledAt(e.now()), "backfill pass complete");
      case PLANNED, EXPANDED ->
          refusePhase(
              r,
              Request.of(Action.BACKFILL),
              "backfill needs dual-write on: rows written meanwhile would not reach the new columns"
                  + " (run dual-write on first)");
      default ->
          allowed(
              r.withBackfilledAt(e.now()),
              "backfill pass complete (phase " + name(r.phase()) + ")");
    };
  }

  private static Decision verify(MigrationRecord r, Evidence e) {
    long drift = e.verifyDrift();
    return switch (r.phase()) {
      case PLANNED, EXPANDED, DUAL_WRITE ->
          refusePhase(
              r,
              Request.of(Action.VERIFY),
              "verify needs a complete backfill first (run backfill)");
      case BACKFILLED ->
          drift == 0
              ? allowed(to(r, VERIFIED, e).withVerify(e.now(), 0), "verify found drift 0")
              : allowed(
                  r.withVerify(e.now(), drift),
                  "verify found drift " + drift + "; stays backfilled (run backfill, then verify)");
      default -> allowed(r.withVerify(e.now(), drift), "verify found drift " + drift);
    };
  }

  private static Decision shadow(MigrationRecord r, int percent) {
    if (r.phase().compareTo(BACKFILLED) < 0) {
      return refusePhase(
          r,
          Request.percent(Action.SHADOW, percent),
          "shadow compares old and new results, which differ until the backfill is complete");
    }
    if (r.shadowPercent() == percent) {
      return new Unchanged("shadow is already " + percent + "%");
    }
    return allowed(
        r.withShadowPercent(percent), "shadow " + r.shadowPercent() + "% → " + percent + "%");
  }

  private static Decision reads(Migration plan, MigrationRecord r, int percent, Evidence e) {
    Phase phase = r.phase();
    Request request = Request.percent(Action.READS, percent);
    if (phase.compareTo(VERIFIED) < 0) {
      return new Refused(
          Guard.VERIFIED,
          "reads on the new path need a clean verify (phase " + name(phase) + "; run verify)",
          "phase " + name(phase),
          "verified, drift 0");
    }
    if (phase == WRITES_NEW) {
      return refusePhase(
          r, request, "in writes_new every read stays on the new path; use rollback to go back");
    }
    int current = r.effectiveReadPercent();
    if (percent == current) {
      return new Unchanged("reads are already " + percent + "% on the new path");
    }
    if (percent > current) {
      // Only raising needs a clean verify: drift found later (a periodic verify) must not stop an
      // operator from lowering the reads that can see it.
      OptionalLong drift = r.drift();
      if (drift.isEmpty() || drift.getAsLong() != 0) {
        String measured = drift.isEmpty() ? "never verified" : "drift " + drift.getAsLong();
        return new Refused(
            Guard.VERIFIED,
            "reads on the new path need the last verify to find drift 0 (" + measured + ")",
            measured,
            "drift 0");
      }
    }
    if (percent > current && e.shadowCompared() > 0) {
      double rate = e.shadowMismatchRate();
      double max = plan.shadow().maxMismatchRate();
      if (rate > max) {
        return new Refused(
            Guard.SHADOW_MISMATCH_RATE,
            String.format(
                Locale.ROOT,
                "shadow mismatch rate %s (%d of %d reads) is above the plan's max_mismatch_rate %s",
                rate(rate),
                e.shadowMismatched(),
                e.shadowCompared(),
                rate(max)),
            rate(rate),
            rate(max));
      }
    }
    String reason = "reads " + current + "% → " + percent + "% on the new path";
    if (percent == 0) {
      return allowed(to(r, VERIFIED, e).withReadPercent(0), reason);
    }
    if (percent == 100) {
      return allowed(to(r, READS_NEW, e).withReadPercent(100), reason);
    }
    MigrationRecord next = phase == READS ? r : to(r, READS, e);
    return allowed(next.withReadPercent(percent), reason);
  }

  private static Decision writesNew(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case READS_NEW ->
          allowed(
              to(r, WRITES_NEW, e),
              "the new columns are the source of truth; old ones kept in sync");
      case WRITES_NEW -> new Unchanged("already writes_new");
      default ->
          refusePhase(
              r,
              Request.of(Action.WRITES_NEW),
              "writes_new needs every read on the new path (reads 100)");
    };
  }

  private static Decision rollback(MigrationRecord r, Evidence e) {
    return switch (r.phase()) {
      case READS, READS_NEW, WRITES_NEW ->
          allowed(
              to(r, VERIFIED, e).withReadPercent(0),
              "reads back on the old path (were " + r.effectiveReadPercent() + "% new)");
      case DUAL_WRITE, BACKFILLED, VERIFIED ->
          allowed(
              to(r, EXPANDED, e).withoutVerification().withShadowPercent(0),
              "dual-write off; the old columns alone are current");
      case EXPANDED ->
          allowed(
              to(r, PLANNED, e),
              "back to planned; the new columns stay (only contract drops columns)");
      case PLANNED -> new Unchanged("nothing to roll back: the migration is planned");
      case CONTRACTED -> throw new AssertionError("handled above");
    };
  }

  private static Decision contract(Migration plan, MigrationRecord r, Request request, Evidence e) {
    if (r.phase() != READS_NEW && r.phase() != WRITES_NEW) {
      return refusePhase(
          r, request, "contract needs reads_new or writes_new held for the soak time first");
    }
    if (request.confirm().isEmpty() || !request.confirm().get().equals(plan.id())) {
      return new Refused(
          Guard.CONFIRM,
          "contract drops "
              + plan.table()
              + " "
              + String.join(", ", plan.oldColumns())
              + " for good: confirm with --confirm "
              + plan.id(),
          request.confirm().map(c -> "confirm '" + c + "'").orElse("no confirmation"),
          "--confirm " + plan.id());
    }
    Duration soak = plan.contract().soak();
    Duration held = Duration.between(r.phaseSince(), e.now());
    if (held.compareTo(soak) < 0) {
      return new Refused(
          Guard.SOAK,
          "contract needs "
              + name(r.phase())
              + " held for "
              + duration(soak)
              + " (contract.soak); held for "
              + duration(held)
              + ", "
              + duration(soak.minus(held))
              + " to go",
          duration(held),
          duration(soak));
    }
    Optional<Instant> lastOld = e.lastOldNamesUse();
    if (lastOld.isPresent()) {
      Duration since = Duration.between(lastOld.get(), e.now());
      if (since.compareTo(soak) < 0) {
        return new Refused(
            Guard.OLD_NAMES_IN_USE,
            "a statement using the old names was seen "
                + duration(since)
                + " ago"
                + e.lastOldNamesUser().map(u -> " (from " + u + ")").orElse("")
                + "; contract needs none for "
                + duration(soak)
                + " (see turnout usage "
                + plan.id()
                + ")",
            "last seen " + duration(since) + " ago",
            "none for " + duration(soak));
      }
    }
    return allowed(to(r, CONTRACTED, e), "old columns dropped");
  }

  // ---------------------------------------------------------------- helpers

  private static MigrationRecord to(MigrationRecord r, Phase phase, Evidence e) {
    return r.withPhase(phase, e.now());
  }

  private static Allowed allowed(MigrationRecord next, String reason) {
    return new Allowed(next, reason);
  }

  private static Refused refusePhase(MigrationRecord r, Request request, String why) {
    return new Refused(
        Guard.PHASE,
        request.action().wireName().replace('_', '-')
            + " is not possible in phase "
            + name(r.phase())
            + ": "
            + why,
        "phase " + name(r.phase()),
        "");
  }

  static String name(Phase phase) {
    return phase.name().toLowerCase(Locale.ROOT);
  }

  private static String rate(double r) {
    return String.format(Locale.ROOT, "%.4f", r);
  }

  /** {@code 2h 5m}, {@code 45s}: the unit an operator thinks in. */
  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s >= 86_400) {
      return (s / 86_400) + "d " + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return (s / 3600) + "h " + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return s + "s";
  }
}
