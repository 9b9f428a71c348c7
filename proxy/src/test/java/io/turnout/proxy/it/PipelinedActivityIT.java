package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whether a session is idle is judged from what the client asked for, not from the last
 * ReadyForQuery: with two queries pipelined in one write, the first one's ReadyForQuery leaves the
 * second still running, and neither the idle timeout nor a drain may end it.
 */
class PipelinedActivityIT {
  private static final Duration IDLE = Duration.ofMillis(800);

  @Test
  void pipelinedQueries_longerThanIdleTimeout_areBothAnswered() throws Exception {
    TurnoutFixture fixture = TurnoutFixture.builder().idleTimeout(IDLE).build().start();
    try (RawPgConnection raw = fixture.rawThroughTurnout()) {
      raw.send(concat(query("select 1"), query("select pg_sleep(2.5)")));

      assertThat(readAnswers(raw, 2)).containsExactly("T", "D", "C", "Z", "T", "D", "C", "Z");
      // Idle now: the timeout applies again.
      Thread.sleep(IDLE.multipliedBy(3).toMillis());
      RawPgConnection.Message m = raw.read();
      assertThat(m.type()).isEqualTo('E');
      assertThat(m.sqlState()).isEqualTo("57P05");
    } finally {
      fixture.close();
    }
  }

  @Test
  void drain_withASecondPipelinedQueryStillRunning_letsItFinish_thenCloses() throws Exception {
    TurnoutFixture fixture =
        TurnoutFixture.builder().shutdownGrace(Duration.ofSeconds(30)).build().start();
    Thread closer = new Thread(fixture::close, "turnout-it-close");
    try (RawPgConnection raw = fixture.rawThroughTurnout()) {
      raw.send(concat(query("select 1"), query("select pg_sleep(1.5)")));
      assertThat(readAnswers(raw, 1)).containsExactly("T", "D", "C", "Z");
      closer.start();

      assertThat(readAnswers(raw, 1)).containsExactly("T", "D", "C", "Z");
      RawPgConnection.Message m = raw.read();
      assertThat(m.type()).isEqualTo('E');
      assertThat(m.sqlState()).isEqualTo("57P01");
      assertThat(m.fields()).doesNotContainKey('D'); // no "grace period ended" detail
    } finally {
      closer.join(60_000);
      fixture.close();
    }
  }

  /** The message types up to the {@code count}-th ReadyForQuery; an ErrorResponse fails. */
  private static List<String> readAnswers(RawPgConnection raw, int count) throws Exception {
    List<String> types = new ArrayList<>();
    int ready = 0;
    while (ready < count) {
      RawPgConnection.Message m = raw.read();
      assertThat(m.type()).as("unexpected %s after %s", m, types).isNotEqualTo('E');
      types.add(String.valueOf(m.type()));
      if (m.type() == 'Z') {
        ready++;
      }
    }
    return types;
  }

  private static byte[] query(String sql) {
    byte[] text = (sql + "\0").getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + text.length)
        .put((byte) 'Q')
        .putInt(4 + text.length)
        .put(text)
        .array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
