package io.turnout.admin.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.lifecycle.Decision.Allowed;
import io.turnout.admin.lifecycle.Decision.Refused;
import io.turnout.admin.lifecycle.Decision.Unchanged;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LifecycleTest {
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static final RenameColumn PLAN =
      new RenameColumn(
          "rename-email",
          "primary",
          new TableName("public", "users"),
          "email",
          "email_address",
          ReadPolicy.DEFAULT,
          new ShadowPolicy(0.1, 0.001),
          UnanalysablePolicy.DEFAULT,
          new ContractPolicy(Duration.ofHours(1)));

  private static MigrationRecord at(Phase phase) {
    return MigrationRecord.planned(PLAN.id()).withPhase(phase, NOW.minus(Duration.ofDays(2)));
  }

  private static MigrationRecord verifiedClean(Phase phase) {
    return at(phase).withVerify(NOW.minusSeconds(60), 0);
  }

  private static Decision decide(MigrationRecord r, Request q) {
    return Lifecycle.decide(PLAN, r, q, Evidence.none(NOW));
  }

  private static MigrationRecord allowed(Decision d) {
    assertThat(d).isInstanceOf(Allowed.class);
    return ((Allowed) d).next();
  }

  private static Refused refused(Decision d) {
    assertThat(d).isInstanceOf(Refused.class);
    return (Refused) d;
  }

  @Test
  void happyPath_plannedToContracted() {
    MigrationRecord r = MigrationRecord.planned(PLAN.id());
    r = allowed(decide(r, Request.of(Action.EXPAND)));
    assertThat(r.phase()).isEqualTo(Phase.EXPANDED);
    r = allowed(decide(r, Request.of(Action.DUAL_WRITE_ON)));
    assertThat(r.phase()).isEqualTo(Phase.DUAL_WRITE);
    r = allowed(decide(r, Request.of(Action.BACKFILL)));
    assertThat(r.phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(r.backfilledAt()).contains(NOW);
    r = allowed(Lifecycle.decide(PLAN, r, Request.of(Action.VERIFY), Evidence.none(NOW)));
    assertThat(r.phase()).isEqualTo(Phase.VERIFIED);
    assertThat(r.drift()).isEqualTo(OptionalLong.of(0));
    r = allowed(decide(r, Request.percent(Action.SHADOW, 10)));
    assertThat(r.shadowPercent()).isEqualTo(10);
    r = allowed(decide(r, Request.percent(Action.READS, 5)));
    assertThat(r.phase()).isEqualTo(Phase.READS);
    assertThat(r.toState().readPercent()).isEqualTo(5);
    r = allowed(decide(r, Request.percent(Action.READS, 100)));
    assertThat(r.phase()).isEqualTo(Phase.READS_NEW);
    r = allowed(decide(r, Request.of(Action.WRITES_NEW)));
    assertThat(r.phase()).isEqualTo(Phase.WRITES_NEW);
    r = r.withPhase(Phase.WRITES_NEW, NOW); // entered just now: the soak guard applies
    Refused soak = refused(decide(r, Request.contract(PLAN.id())));
    assertThat(soak.guard()).isEqualTo(Guard.SOAK);
    assertThat(soak.message())
        .isEqualTo(
            "contract needs writes_new held for 1h 0m (contract.soak); held for 0s, 1h 0m to go");
    r = r.withPhase(Phase.READS, NOW).withPhase(Phase.WRITES_NEW, NOW.minus(Duration.ofHours(2)));
    r = allowed(decide(r, Request.contract(PLAN.id())));
    assertThat(r.phase()).isEqualTo(Phase.CONTRACTED);
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"CONTRACTED"},
      mode = EnumSource.Mode.EXCLUDE)
  void rollback_fromEveryPhaseBeforeContracted_readsOldAfterwards(Phase phase) {
    MigrationRecord r = verifiedClean(phase).withReadPercent(phase == Phase.READS ? 25 : 0);
    Decision d = decide(r, Request.of(Action.ROLLBACK));
    if (phase == Phase.PLANNED) {
      assertThat(d).isInstanceOf(Unchanged.class);
      return;
    }
    MigrationRecord next = allowed(d);
    assertThat(next.effectiveReadPercent()).isZero();
    assertThat(next.phase().readsMayUseNew()).isFalse();
    Phase expected =
        switch (phase) {
          case READS, READS_NEW, WRITES_NEW -> Phase.VERIFIED;
          case DUAL_WRITE, BACKFILLED, VERIFIED -> Phase.EXPANDED;
          default -> Phase.PLANNED;
        };
    assertThat(next.phase()).isEqualTo(expected);
  }

  @Test
  void rollback_contracted_isRefused() {
    Refused r = refused(decide(at(Phase.CONTRACTED), Request.of(Action.ROLLBACK)));
    assertThat(r.guard()).isEqualTo(Guard.PHASE);
    assertThat(r.message())
        .isEqualTo(
            "rollback is not possible in phase contracted: the migration is contracted, which is"
                + " irreversible");
  }

  @Test
  void reads_beforeVerified_refusedByVerifiedGuard() {
    Refused r = refused(decide(at(Phase.BACKFILLED), Request.percent(Action.READS, 5)));
    assertThat(r.guard()).isEqualTo(Guard.VERIFIED);
    assertThat(r.message())
        .isEqualTo("reads on the new path need a clean verify (phase backfilled; run verify)");
  }

  @Test
  void reads_lastVerifyFoundDrift_refusedWithTheDrift() {
    MigrationRecord r = at(Phase.READS).withReadPercent(5).withVerify(NOW, 3);
    Refused refused = refused(decide(r, Request.percent(Action.READS, 25)));
    assertThat(refused.guard()).isEqualTo(Guard.VERIFIED);
    assertThat(refused.measured()).isEqualTo("drift 3");
    assertThat(refused.limit()).isEqualTo("drift 0");
    assertThat(refused.message())
        .isEqualTo("reads on the new path need the last verify to find drift 0 (drift 3)");
    // Lowering is always possible: fewer reads see what drifted, and 0 is the way back.
    assertThat(
            allowed(decide(r.withReadPercent(50), Request.percent(Action.READS, 10))).readPercent())
        .isEqualTo(10);
    assertThat(allowed(decide(r, Request.percent(Action.READS, 0))).phase())
        .isEqualTo(Phase.VERIFIED);
  }

  @Test
  void reads_raiseWithShadowMismatchRateAboveThreshold_refused() {
    MigrationRecord r = verifiedClean(Phase.READS).withReadPercent(5);
    Evidence e = new Evidence(NOW, 10_000, 20, Optional.empty(), Optional.empty(), 0, List.of());
    Refused refused = refused(Lifecycle.decide(PLAN, r, Request.percent(Action.READS, 25), e));
    assertThat(refused.guard()).isEqualTo(Guard.SHADOW_MISMATCH_RATE);
    assertThat(refused.message())
        .isEqualTo(
            "shadow mismatch rate 0.0020 (20 of 10000 reads) is above the plan's"
                + " max_mismatch_rate 0.0010");
    // Lowering is allowed whatever the rate.
    assertThat(
            allowed(Lifecycle.decide(PLAN, r, Request.percent(Action.READS, 1), e)).readPercent())
        .isEqualTo(1);
    // Under the threshold: allowed.
    Evidence fine = new Evidence(NOW, 10_000, 10, Optional.empty(), Optional.empty(), 0, List.of());
    assertThat(
            allowed(Lifecycle.decide(PLAN, r, Request.percent(Action.READS, 25), fine))
                .readPercent())
        .isEqualTo(25);
  }

  @Test
  void reads_samePercent_unchanged() {
    assertThat(
            decide(verifiedClean(Phase.READS).withReadPercent(5), Request.percent(Action.READS, 5)))
        .isInstanceOf(Unchanged.class);
  }

  @Test
  void reads_inWritesNew_refused() {
    Refused r = refused(decide(verifiedClean(Phase.WRITES_NEW), Request.percent(Action.READS, 50)));
    assertThat(r.guard()).isEqualTo(Guard.PHASE);
  }

  @Test
  void verify_withDrift_staysBackfilledAndRecordsIt() {
    MigrationRecord r =
        allowed(
            Lifecycle.decide(
                PLAN,
                at(Phase.BACKFILLED),
                Request.of(Action.VERIFY),
                Evidence.none(NOW).withVerifyDrift(7)));
    assertThat(r.phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(r.drift()).isEqualTo(OptionalLong.of(7));
  }

  @Test
  void verify_beforeBackfill_refused() {
    assertThat(refused(decide(at(Phase.DUAL_WRITE), Request.of(Action.VERIFY))).message())
        .isEqualTo(
            "verify is not possible in phase dual_write: verify needs a complete backfill first"
                + " (run backfill)");
  }

  @Test
  void backfill_withoutDualWrite_refused() {
    assertThat(refused(decide(at(Phase.EXPANDED), Request.of(Action.BACKFILL))).message())
        .startsWith("backfill is not possible in phase expanded: backfill needs dual-write on");
  }

  @Test
  void dualWriteOff_whileReadsOnNew_refused_elseForgetsVerification() {
    assertThat(
            refused(decide(verifiedClean(Phase.READS_NEW), Request.of(Action.DUAL_WRITE_OFF)))
                .message())
        .isEqualTo(
            "dual-write-off is not possible in phase reads_new: reads are on the new path (100%);"
                + " run rollback first, which moves them back");
    MigrationRecord off =
        allowed(decide(verifiedClean(Phase.VERIFIED), Request.of(Action.DUAL_WRITE_OFF)));
    assertThat(off.phase()).isEqualTo(Phase.EXPANDED);
    assertThat(off.drift()).isEmpty();
  }

  @Test
  void shadow_beforeBackfilled_refused() {
    assertThat(refused(decide(at(Phase.DUAL_WRITE), Request.percent(Action.SHADOW, 10))).guard())
        .isEqualTo(Guard.PHASE);
  }

  @Test
  void contract_withoutOrWrongConfirmation_refusedByConfirmGuard() {
    MigrationRecord r = verifiedClean(Phase.READS_NEW);
    Refused none = refused(decide(r, Request.contract(null)));
    assertThat(none.guard()).isEqualTo(Guard.CONFIRM);
    assertThat(none.message())
        .isEqualTo(
            "contract drops public.users email for good: confirm with --confirm rename-email");
    assertThat(refused(decide(r, Request.contract("split-name"))).measured())
        .isEqualTo("confirm 'split-name'");
  }

  @Test
  void dualWriteOn_whileExpandHasNotAddedTheColumns_refused() {
    Evidence e =
        new Evidence(NOW, 0, 0, Optional.empty(), Optional.empty(), 0, List.of("email_address"));
    Refused refused =
        refused(Lifecycle.decide(PLAN, at(Phase.EXPANDED), Request.of(Action.DUAL_WRITE_ON), e));
    assertThat(refused.guard()).isEqualTo(Guard.EXPANDED_COLUMNS);
    assertThat(refused.measured()).isEqualTo("email_address");
    assertThat(refused.message())
        .isEqualTo(
            "expand has not finished: the table has no column email_address yet (writes would be"
                + " refused); run turnout expand rename-email again");
  }

  @Test
  void contract_oldNamesSeenWithinSoak_refused() {
    MigrationRecord r = verifiedClean(Phase.READS_NEW);
    Evidence e =
        new Evidence(
            NOW,
            0,
            0,
            Optional.of(NOW.minusSeconds(180)),
            Optional.of("billing-worker as app from 10.0.0.7"),
            0,
            List.of());
    Refused refused = refused(Lifecycle.decide(PLAN, r, Request.contract(PLAN.id()), e));
    assertThat(refused.guard()).isEqualTo(Guard.OLD_NAMES_IN_USE);
    assertThat(refused.message())
        .isEqualTo(
            "a statement using the old names was seen 3m 0s ago (from billing-worker as app from"
                + " 10.0.0.7); contract needs none for 1h 0m (see turnout usage rename-email)");
  }

  @Test
  void contract_beforeReadsNew_refused() {
    assertThat(refused(decide(verifiedClean(Phase.READS), Request.contract(PLAN.id()))).guard())
        .isEqualTo(Guard.PHASE);
  }

  @Test
  void expand_twice_unchanged_dualWriteBeforeExpand_refused() {
    assertThat(decide(at(Phase.EXPANDED), Request.of(Action.EXPAND))).isInstanceOf(Unchanged.class);
    assertThat(refused(decide(at(Phase.PLANNED), Request.of(Action.DUAL_WRITE_ON))).message())
        .isEqualTo("dual-write-on is not possible in phase planned: run expand first");
  }
}
