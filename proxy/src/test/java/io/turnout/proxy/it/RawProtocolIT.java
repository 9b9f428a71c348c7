package io.turnout.proxy.it;

import static io.turnout.proxy.it.Frames.bind;
import static io.turnout.proxy.it.Frames.concat;
import static io.turnout.proxy.it.Frames.cstring;
import static io.turnout.proxy.it.Frames.execute;
import static io.turnout.proxy.it.Frames.flush;
import static io.turnout.proxy.it.Frames.frame;
import static io.turnout.proxy.it.Frames.parse;
import static io.turnout.proxy.it.Frames.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Valid protocol that drivers seldom send, over a raw socket, answered through Turnout exactly as
 * PostgreSQL answers it directly: the sequence of message types (and the rows) is compared.
 */
class RawProtocolIT {
  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @Test
  void startupWithPipelinedQuery_isAnsweredLikePostgres() throws Exception {
    // StartupMessage and a Query in one write, without waiting for AuthenticationOk: PostgreSQL
    // (trust auth) authenticates and then runs the query.
    assumeTrue(
        turnout.postgres().superuserPassword() == null, "needs a superuser the server trusts");
    byte[] both = concat(startupMessage(), frame('Q', cstring("select 'pipelined'")));
    List<String> direct = exchange(directAddress(), both, 2);
    List<String> viaTurnout = exchange(turnout.address(), both, 2);
    assertThat(direct).contains("D:pipelined").endsWith("C:SELECT 1", "Z");
    assertThat(withoutStartupNoise(viaTurnout)).isEqualTo(withoutStartupNoise(direct));
  }

  /**
   * A client asking for protocol 3.2 (PostgreSQL 18's, with longer cancel keys) is negotiated
   * exactly as the backend negotiates it: here PostgreSQL 15 answers NegotiateProtocolVersion 3.0,
   * and the BackendKeyData keeps the backend's key length.
   */
  @Test
  void startupAsking3_2_isNegotiatedLikePostgres() throws Exception {
    assertNegotiatedLikePostgres(RawPgConnection.PROTOCOL_3_0 + 2);
  }

  /** A minor version newer than any Turnout knows is negotiated down, never passed on blind. */
  @Test
  void startupAskingAFutureMinorVersion_isNegotiatedLikePostgres() throws Exception {
    assertNegotiatedLikePostgres(RawPgConnection.PROTOCOL_3_0 + 9);
  }

  private void assertNegotiatedLikePostgres(int version) throws Exception {
    assumeTrue(
        turnout.postgres().superuserPassword() == null, "needs a superuser the server trusts");
    byte[] startup = concat(startupMessage(version), frame('Q', cstring("select 'negotiated'")));
    List<String> direct = exchange(directAddress(), startup, 2);
    List<String> viaTurnout = exchange(turnout.address(), startup, 2);
    assertThat(direct).startsWith("v:196608/0").contains("K:4", "D:negotiated");
    assertThat(withoutStartupNoise(viaTurnout)).isEqualTo(withoutStartupNoise(direct));
  }

  @Test
  void queryDeliveredOneByteAtATime_isAnswered() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      byte[] query = frame('Q', cstring("select 'byte by byte'"));
      for (byte b : query) {
        raw.send(new byte[] {b});
      }
      assertThat(readUntilReady(raw))
          .containsExactly("T:?column?", "D:byte by byte", "C:SELECT 1", "Z");
    }
  }

  @Test
  void extendedQueryWithFlush_isAnsweredBeforeSync() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      // Parse, Bind, Execute, Flush: the server must send what it has without a Sync.
      raw.send(concat(parse("", "select $1::text"), bind("", "", "flushed"), execute(""), flush()));
      List<String> before = new ArrayList<>();
      while (before.size() < 4) {
        before.add(Frames.describe(raw.read()));
      }
      assertThat(before).containsExactly("1", "2", "D:flushed", "C:SELECT 1");
      raw.send(sync());
      assertThat(readUntilReady(raw)).containsExactly("Z");
    }
  }

  @Test
  void hundredExtendedQueriesInOneWrite_areAllAnsweredInOrder() throws Exception {
    ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
    for (int i = 0; i < 100; i++) {
      pipeline.write(
          concat(parse("", "select $1::text"), bind("", "", "q" + i), execute(""), sync()));
    }
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(pipeline.toByteArray());
      for (int i = 0; i < 100; i++) {
        assertThat(readUntilReady(raw))
            .as("answer %s", i)
            .containsExactly("1", "2", "D:q" + i, "C:SELECT 1", "Z");
      }
    }
  }

  private static InetSocketAddress directAddress() {
    return new InetSocketAddress(turnout.postgres().host(), turnout.postgres().port());
  }

  /** Sends {@code bytes} in one write and reads until the {@code readyCount}-th ReadyForQuery. */
  private static List<String> exchange(InetSocketAddress address, byte[] bytes, int readyCount)
      throws IOException {
    List<String> seen = new ArrayList<>();
    try (RawPgConnection raw = RawPgConnection.open(address)) {
      raw.send(bytes);
      int ready = 0;
      while (ready < readyCount) {
        RawPgConnection.Message m = raw.read();
        seen.add(Frames.describe(m));
        if (m.type() == 'Z') {
          ready++;
        } else if (m.type() == 'E') {
          break;
        }
      }
    }
    return seen;
  }

  /** ParameterStatus values are per connection; the rest (the key's length too) must match. */
  private static List<String> withoutStartupNoise(List<String> messages) {
    return messages.stream().filter(m -> !m.startsWith("S")).toList();
  }

  private static List<String> readUntilReady(RawPgConnection raw) throws IOException {
    List<String> seen = new ArrayList<>();
    while (true) {
      RawPgConnection.Message m = raw.read();
      seen.add(Frames.describe(m));
      if (m.type() == 'Z' || m.type() == 'E') {
        return seen;
      }
    }
  }

  private byte[] startupMessage() {
    return startupMessage(RawPgConnection.PROTOCOL_3_0);
  }

  private byte[] startupMessage(int version) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e :
        Map.of("user", turnout.postgres().superuser(), "database", turnout.database()).entrySet()) {
      body.writeBytes(cstring(e.getKey()));
      body.writeBytes(cstring(e.getValue()));
    }
    body.write(0);
    byte[] b = body.toByteArray();
    return ByteBuffer.allocate(8 + b.length).putInt(8 + b.length).putInt(version).put(b).array();
  }
}
