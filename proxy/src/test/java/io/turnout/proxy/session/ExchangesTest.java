package io.turnout.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangesTest {
  private final Exchanges exchanges = new Exchanges();
  private final List<String> outcomes = new ArrayList<>();

  private Exchanges.Outcome watch(String name) {
    return ok -> outcomes.add(name + (ok ? " prepared" : " not prepared"));
  }

  /** The replies of {@code types}, each marked '-' when hidden. */
  private String replies(String types) {
    StringBuilder seen = new StringBuilder();
    for (char t : types.toCharArray()) {
      seen.append(exchanges.reply((byte) t) ? '-' : t);
    }
    return seen.toString();
  }

  @Test
  void injectedCloseAndParse_areHidden_theClientsRepliesNot() {
    exchanges.sentHidden(Exchanges.CLOSE, null);
    exchanges.sentHidden(Exchanges.PARSE, watch("re-prepare"));
    exchanges.sent(Exchanges.BIND);
    exchanges.sent(Exchanges.EXECUTE);
    exchanges.sent(Exchanges.SYNC);
    assertThat(exchanges.mayHide()).isTrue();
    assertThat(replies("3N12DDCZ")).isEqualTo("-N-2DDCZ");
    assertThat(outcomes).containsExactly("re-prepare prepared");
    assertThat(exchanges.mayHide()).isFalse();
    assertThat(exchanges.isEmpty()).isTrue();
  }

  @Test
  void errorToAnInjectedParse_isShown_andWhatFollowsUntilSyncIsDiscarded() {
    exchanges.sentHidden(Exchanges.CLOSE, null);
    exchanges.sentHidden(Exchanges.PARSE, watch("re-prepare"));
    exchanges.sent(Exchanges.BIND);
    exchanges.sentHidden(Exchanges.PARSE, watch("variant"));
    exchanges.sent(Exchanges.EXECUTE);
    exchanges.sent(Exchanges.SYNC);
    exchanges.sent(Exchanges.UNTIL_READY);
    assertThat(replies("3EZTDCZ")).isEqualTo("-EZTDCZ");
    assertThat(outcomes).containsExactly("re-prepare not prepared", "variant not prepared");
    assertThat(exchanges.isEmpty()).isTrue();
  }

  @Test
  void errorBeforeAnySync_discardsLaterMessagesUntilOneIsSent() {
    exchanges.sent(Exchanges.PARSE, watch("S_1"));
    exchanges.sent(Exchanges.UNTIL_READY);
    assertThat(replies("E")).isEqualTo("E");
    exchanges.sent(Exchanges.PARSE, watch("S_2")); // sent after the error: discarded unseen
    exchanges.sent(Exchanges.SYNC);
    exchanges.sent(Exchanges.PARSE, watch("S_3"));
    exchanges.sent(Exchanges.SYNC);
    assertThat(replies("Z1Z")).isEqualTo("Z1Z");
    assertThat(outcomes).containsExactly("S_1 not prepared", "S_2 not prepared", "S_3 prepared");
  }

  @Test
  void errorsInsideAQueryOrAtSync_discardNothing() {
    exchanges.sent(Exchanges.UNTIL_READY);
    exchanges.sent(Exchanges.PARSE, watch("S_1"));
    exchanges.sent(Exchanges.SYNC);
    exchanges.sent(Exchanges.SYNC);
    assertThat(replies("TDEZ1EZZ")).isEqualTo("TDEZ1EZZ");
    assertThat(outcomes).containsExactly("S_1 prepared");
    assertThat(exchanges.isEmpty()).isTrue();
  }

  @Test
  void describeOfAStatement_endsAtRowDescriptionOrNoData() {
    exchanges.sent(Exchanges.DESCRIBE_STATEMENT);
    exchanges.sent(Exchanges.DESCRIBE_PORTAL);
    exchanges.sentHidden(Exchanges.CLOSE, null);
    assertThat(replies("tTn3")).isEqualTo("tTn-");
  }

  @Test
  void manyInFlight_growTheQueue_inOrder() {
    for (int i = 0; i < 100; i++) {
      exchanges.sent(Exchanges.BIND);
      exchanges.sentHidden(Exchanges.CLOSE, null);
    }
    assertThat(replies("23".repeat(100))).isEqualTo("2-".repeat(100));
  }
}
