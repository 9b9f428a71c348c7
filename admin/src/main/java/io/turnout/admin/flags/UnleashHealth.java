package io.turnout.admin.flags;

import io.getunleash.UnleashException;
import io.getunleash.event.ClientFeaturesResponse;
import io.getunleash.event.FeatureSet;
import io.getunleash.event.UnleashSubscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Listens to the Unleash client's events and remembers what an operator needs to judge the flags:
 * when the last fetch succeeded, when and why the last one failed, and where the toggles in use
 * came from before any fetch succeeded (backup or bootstrap file). Events arrive on the client's
 * threads; {@link #describe} may run on any thread, so each fact is one volatile field.
 */
final class UnleashHealth implements UnleashSubscriber {
  private final String url;
  private final Clock clock;
  private volatile Instant lastOk;
  private volatile Instant lastFailure;
  private volatile String lastFailureReason = "";
  private volatile boolean restoredFromBackup;
  private volatile String startedFrom = "no toggles until the first fetch (every read on old)";

  UnleashHealth(String url, Clock clock) {
    this.url = url;
    this.clock = clock;
  }

  @Override
  public void togglesFetched(ClientFeaturesResponse response) {
    if (response.getStatus() == ClientFeaturesResponse.Status.UNAVAILABLE) {
      failed("HTTP " + response.getHttpStatusCode());
    } else {
      lastOk = clock.instant();
    }
  }

  @Override
  public void onError(UnleashException error) {
    Throwable cause = error.getCause();
    failed(
        cause == null || cause.getMessage() == null
            ? String.valueOf(error.getMessage())
            : error.getMessage() + ": " + cause.getMessage());
  }

  @Override
  public void featuresBackupRestored(FeatureSet features) {
    restoredFromBackup = true;
    startedFrom = "backup of the last fetch (" + features.getFeatures().size() + " toggles)";
  }

  /**
   * Called once the client is built, with the toggles it holds before any fetch. The client prefers
   * its backup of the last fetch to the bootstrap file, and announces only the backup.
   */
  void started(int toggles, String bootstrapFile) {
    if (!restoredFromBackup && bootstrapFile != null) {
      startedFrom = "bootstrap file " + bootstrapFile + " (" + toggles + " toggles)";
    }
  }

  private void failed(String reason) {
    lastFailureReason = reason;
    lastFailure = clock.instant();
  }

  /** E.g. {@code unleash http://u/api: last fetch ok 3 s ago}. */
  String describe() {
    Instant ok = lastOk;
    Instant failure = lastFailure;
    StringBuilder line = new StringBuilder("unleash ").append(url).append(": ");
    if (ok != null && (failure == null || ok.isAfter(failure))) {
      return line.append("last fetch ok ").append(ago(ok)).toString();
    }
    if (failure != null) {
      line.append("last fetch failed ").append(ago(failure)).append(" (");
      line.append(lastFailureReason).append(')');
    } else {
      line.append("no fetch yet");
    }
    if (ok != null) {
      return line.append(", last ok ").append(ago(ok)).toString();
    }
    return line.append(", serving ").append(startedFrom).toString();
  }

  private String ago(Instant then) {
    long seconds = Math.max(0, Duration.between(then, clock.instant()).getSeconds());
    return seconds + " s ago";
  }
}
