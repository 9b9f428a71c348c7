package io.turnout.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SessionsTest {

  @Test
  void admit_upToTheLimit_thenRefused_andALeaveFreesASlot() {
    Sessions sessions = new Sessions(2);
    Session a = new Session(null, null);
    Session b = new Session(null, null);
    Session c = new Session(null, null);

    assertThat(sessions.admit(a)).isNull();
    assertThat(sessions.admit(b)).isNull();
    assertThat(sessions.admit(c)).contains("too many clients already (max_client_connections=2)");
    sessions.remove(a);
    assertThat(sessions.admit(c)).isNull();
    assertThat(sessions.size()).isEqualTo(2);
  }

  @Test
  void removingASessionTwice_orOneNeverAdmitted_freesNoExtraSlot() {
    Sessions sessions = new Sessions(1);
    Session a = new Session(null, null);
    Session refused = new Session(null, null);
    assertThat(sessions.admit(a)).isNull();
    assertThat(sessions.admit(refused)).isNotNull();
    sessions.remove(refused); // its channel closes too
    sessions.remove(refused);

    assertThat(sessions.admit(new Session(null, null))).isNotNull();
  }

  /**
   * Two clients racing for the last slot: exactly one gets it. (Add-then-check let both see the set
   * over the limit and both back out, refusing a client while a slot was free.)
   */
  @Test
  void twoConcurrentAdmits_forTheLastSlot_exactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20_000; round++) {
        Sessions sessions = new Sessions(1);
        CyclicBarrier start = new CyclicBarrier(2);
        Future<String> first = pool.submit(() -> admitAfter(start, sessions));
        Future<String> second = pool.submit(() -> admitAfter(start, sessions));
        int admitted = (first.get() == null ? 1 : 0) + (second.get() == null ? 1 : 0);
        assertThat(admitted).as("admitted in round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String admitAfter(CyclicBarrier start, Sessions sessions) throws Exception {
    start.await();
    return sessions.admit(new Session(null, null));
  }
}
