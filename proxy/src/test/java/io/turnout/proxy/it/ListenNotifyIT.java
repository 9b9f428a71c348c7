package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTEN/NOTIFY across the proxy in both directions. A NotificationResponse arrives while the
 * listener is idle, unasked: the proxy must relay it at once, not wait for the client's next query.
 */
class ListenNotifyIT {
  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @Test
  void listenerThroughTurnout_receivesNotifyFromDirectSession() throws SQLException {
    try (Connection listener = turnout.connectThroughTurnout();
        Connection notifier = turnout.connectDirect()) {
      assertDelivered(listener, notifier, "orders_via_turnout");
    }
  }

  @Test
  void listenerDirect_receivesNotifyFromSessionThroughTurnout() throws SQLException {
    try (Connection listener = turnout.connectDirect();
        Connection notifier = turnout.connectThroughTurnout()) {
      assertDelivered(listener, notifier, "orders_from_turnout");
    }
  }

  /**
   * The process id a client is told in BackendKeyData is its backend's real one, so
   * pg_backend_pid(), a notification's sender pid and pg_terminate_backend(pid) all agree with it
   * (clients that manage their listeners by pid depend on this).
   */
  @Test
  void processIdClientsAreTold_isTheBackendsOwn_andMatchesNotifySenders() throws SQLException {
    try (Connection listener = turnout.connectThroughTurnout();
        Connection notifier = turnout.connectThroughTurnout()) {
      int told = notifier.unwrap(PGConnection.class).getBackendPID();
      assertThat(told).isEqualTo(Backends.pid(notifier));
      assertThat(listener.unwrap(PGConnection.class).getBackendPID())
          .isEqualTo(Backends.pid(listener));

      listen(listener, "by_pid");
      try (Statement st = notifier.createStatement()) {
        st.execute("notify by_pid, 'hello'");
      }
      PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(10_000);
      assertThat(got).hasSize(1);
      assertThat(got[0].getPID()).as("sender pid of the notification").isEqualTo(told);
    }
  }

  @Test
  void bothThroughTurnout_manyNotificationsArriveInOrder() throws SQLException {
    try (Connection listener = turnout.connectThroughTurnout();
        Connection notifier = turnout.connectThroughTurnout()) {
      listen(listener, "burst");
      try (PreparedStatement ps = notifier.prepareStatement("select pg_notify('burst', ?)")) {
        for (int i = 0; i < 100; i++) {
          ps.setString(1, "n" + i);
          ps.executeQuery().close();
        }
      }
      List<String> payloads = new ArrayList<>();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (payloads.size() < 100 && System.nanoTime() < deadline) {
        PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(1_000);
        for (PGNotification n : batch) {
          payloads.add(n.getParameter());
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("n" + i);
      }
      assertThat(payloads).containsExactlyElementsOf(expected);
    }
  }

  private static void assertDelivered(Connection listener, Connection notifier, String channel)
      throws SQLException {
    listen(listener, channel);
    int notifierPid = Backends.pid(notifier);
    try (Statement st = notifier.createStatement()) {
      st.execute("notify " + channel + ", 'payload for " + channel + "'");
    }
    // Blocks reading the socket until the notification arrives, or 10 s.
    PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(10_000);
    assertThat(notifications).as("notifications on %s", channel).hasSize(1);
    assertThat(notifications[0].getName()).isEqualTo(channel);
    assertThat(notifications[0].getParameter()).isEqualTo("payload for " + channel);
    assertThat(notifications[0].getPID()).isEqualTo(notifierPid);
  }

  private static void listen(Connection listener, String channel) throws SQLException {
    try (Statement st = listener.createStatement()) {
      st.execute("listen " + channel);
    }
  }
}
