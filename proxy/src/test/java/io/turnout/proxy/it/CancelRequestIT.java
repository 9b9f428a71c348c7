package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CancelRequest through Turnout: mapped to the right backend, quickly; unknown keys ignored. */
class CancelRequestIT {
  private static final Logger log = LoggerFactory.getLogger(CancelRequestIT.class);

  /** The acceptance bound: a cancel takes effect within a second. */
  private static final long BOUND_MILLIS = 1_000;

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @Test
  void statementCancel_throughTurnout_stopsPgSleepWithinOneSecond() throws Exception {
    try (Connection c = turnout.connectThroughTurnout();
        Connection direct = turnout.connectDirect()) {
      int pid = Backends.pid(c);
      long worst = 0;
      for (int round = 1; round <= 3; round++) {
        long millis = cancelPgSleep(c, direct, pid);
        worst = Math.max(worst, millis);
      }
      log.info(
          "[measure] cancel latency through Turnout (Statement.cancel() to SQLException 57014): worst {} ms of 3",
          worst);
      assertThat(worst).as("cancel latency through Turnout, ms").isLessThan(BOUND_MILLIS);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select 'still usable'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("still usable");
      }
    }
  }

  @Test
  void statementCancel_direct_isTheBaseline() throws Exception {
    try (Connection c = turnout.connectDirect();
        Connection direct = turnout.connectDirect()) {
      long millis = cancelPgSleep(c, direct, Backends.pid(c));
      log.info("[measure] cancel latency direct (baseline): {} ms", millis);
      assertThat(millis).isLessThan(BOUND_MILLIS);
    }
  }

  /** Runs pg_sleep(30) on {@code c}, cancels it once it runs, returns cancel-to-error millis. */
  private static long cancelPgSleep(Connection c, Connection direct, int pid) throws Exception {
    try (Statement st = c.createStatement();
        SleepingQuery sleeping = SleepingQuery.start(st, 30, direct, pid)) {
      long cancelled = sleeping.cancel();
      SleepingQuery.Outcome outcome = sleeping.outcome();
      assertThat((Throwable) outcome.error())
          .as("pg_sleep(30) should have been cancelled")
          .isNotNull();
      assertThat(outcome.error().getSQLState()).isEqualTo("57014");
      return TimeUnit.NANOSECONDS.toMillis(outcome.endedNanos() - cancelled);
    }
  }

  @Test
  void cancelRequest_withUnknownKey_isIgnoredAndClosed() throws Exception {
    try (Connection c = turnout.connectThroughTurnout();
        Connection direct = turnout.connectDirect()) {
      int pid = Backends.pid(c);
      try (Statement st = c.createStatement();
          SleepingQuery sleeping = SleepingQuery.start(st, 1, direct, pid)) {
        try (RawPgConnection raw = RawPgConnection.open(turnout.address())) {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          raw.sendCancelRequest(random.nextInt(1, Integer.MAX_VALUE), random.nextInt());
          assertThat(raw.closedByServer())
              .as("a CancelRequest is never answered, only closed")
              .isTrue();
        }
        SleepingQuery.Outcome outcome = sleeping.outcome();
        assertThat((Throwable) outcome.error())
            .as("the running statement must not be cancelled by an unknown key")
            .isNull();
      }
    }
  }
}
