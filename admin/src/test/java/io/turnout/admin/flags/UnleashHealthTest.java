package io.turnout.admin.flags;

import static org.assertj.core.api.Assertions.assertThat;

import io.getunleash.UnleashException;
import io.getunleash.event.ClientFeaturesResponse;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnleashHealthTest {
  private static final String URL = "http://unleash:4242/api";
  private final MutableClock clock = new MutableClock();
  private final UnleashHealth health = new UnleashHealth(URL, clock);

  @Test
  void describe_beforeAnything_saysNoTogglesYet() {
    assertThat(health.describe())
        .isEqualTo(
            "unleash "
                + URL
                + ": no fetch yet, serving no toggles until the first fetch"
                + " (every read on old)");
  }

  @Test
  void describe_afterBootstrap_namesTheFile() {
    health.started(2, "/etc/turnout/toggles.json");
    assertThat(health.describe())
        .isEqualTo(
            "unleash "
                + URL
                + ": no fetch yet, serving bootstrap file /etc/turnout/toggles.json"
                + " (2 toggles)");
  }

  @Test
  void describe_afterSuccessfulFetch_saysHowLongAgo() {
    health.togglesFetched(ClientFeaturesResponse.notChanged());
    clock.advance(Duration.ofSeconds(3));
    assertThat(health.describe()).isEqualTo("unleash " + URL + ": last fetch ok 3 s ago");
  }

  @Test
  void describe_failureAfterSuccess_saysBothAndWhy() {
    health.togglesFetched(ClientFeaturesResponse.notChanged());
    clock.advance(Duration.ofSeconds(20));
    health.togglesFetched(ClientFeaturesResponse.unavailable(503, Optional.empty()));
    clock.advance(Duration.ofSeconds(5));
    assertThat(health.describe())
        .isEqualTo("unleash " + URL + ": last fetch failed 5 s ago (HTTP 503), last ok 25 s ago");
  }

  @Test
  void describe_errorBeforeAnySuccess_givesTheCauseAndWhatIsServed() {
    health.started(1, "/t.json");
    health.onError(
        new UnleashException("Error when fetching features", new ConnectException("refused")));
    assertThat(health.describe())
        .isEqualTo(
            "unleash "
                + URL
                + ": last fetch failed 0 s ago (Error when fetching features: refused),"
                + " serving bootstrap file /t.json (1 toggles)");
  }

  @Test
  void describe_successAfterFailure_isOk() {
    health.togglesFetched(ClientFeaturesResponse.unavailable(500, Optional.empty()));
    clock.advance(Duration.ofSeconds(1));
    health.togglesFetched(ClientFeaturesResponse.notChanged());
    assertThat(health.describe()).isEqualTo("unleash " + URL + ": last fetch ok 0 s ago");
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2025-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
