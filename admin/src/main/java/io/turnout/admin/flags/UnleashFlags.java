package io.turnout.admin.flags;

import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.repository.ToggleBootstrapFileProvider;
import io.getunleash.util.UnleashConfig;
import io.getunleash.util.UnleashScheduledExecutorImpl;
import io.turnout.config.FlagSettings;
import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an Unleash toggle (the migration's {@code reads.toggle}) whether a sticky key reads new,
 * under the lifecycle's ceiling: a key reads new iff its {@link StickyBucket} is within {@link
 * ReadCeiling#percent} <em>and</em> the toggle is enabled for it. The provider can only lower the
 * lifecycle's percentage, in every phase: at {@code READS_NEW} and {@code WRITES_NEW} (ceiling 100)
 * the toggle alone decides, so the Unleash rollout should be at 100% before those phases. Reading
 * old is always correct before {@code CONTRACTED} (writes keep both sides in sync), so whenever
 * Unleash is unsure the answer is "old": an unknown toggle, no toggles yet, or a client error.
 *
 * <p>The key goes into the Unleash context as both {@code userId} and {@code sessionId}, so a
 * {@code flexibleRollout} with {@code stickiness} {@code default}, {@code userId} or {@code
 * sessionId} and {@code groupId} = migration id picks exactly the keys the built-in provider would
 * at the same percentage. A migration with no {@code reads.toggle} falls back to the built-in rule,
 * and {@link #describe} names it.
 *
 * <p>Unleash clients poll (here every {@code fetch_interval}), so a change in Unleash takes that
 * long to arrive; Turnout's own rollback does not wait for it.
 */
public final class UnleashFlags implements FlagProvider {
  private static final Logger LOG = LoggerFactory.getLogger(UnleashFlags.class);

  // The client's defaults are 10 s each; a stuck server must not hold a fetch for longer than the
  // operator's polling interval would suggest, and a refused connection fails at once anyway.
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final Unleash client;
  private final Supplier<String> status;
  private final Set<String> withoutToggle = ConcurrentHashMap.newKeySet();

  /**
   * Wraps an existing client (tests use the library's {@code FakeUnleash}); {@link #close} shuts it
   * down.
   */
  public UnleashFlags(Unleash client) {
    this(client, () -> "unleash (client supplied by the caller)");
  }

  private UnleashFlags(Unleash client, Supplier<String> status) {
    this.client = client;
    this.status = status;
  }

  /**
   * Starts a {@link DefaultUnleash} from {@code settings}: it starts from its backup of the last
   * fetch, else from the bootstrap file, never waits for the server (no synchronous first fetch),
   * then polls every {@code fetchInterval}.
   *
   * @throws IllegalArgumentException if the bootstrap file is configured but cannot be read: an
   *     offline start was asked for and would silently not happen
   */
  public static UnleashFlags connect(FlagSettings.Unleash settings) {
    return connect(settings, Clock.systemUTC());
  }

  static UnleashFlags connect(FlagSettings.Unleash settings, Clock clock) {
    UnleashHealth health = new UnleashHealth(settings.url(), clock);
    UnleashConfig.Builder config =
        UnleashConfig.builder()
            .unleashAPI(settings.url())
            .appName(settings.appName())
            .instanceId(instanceId(settings.appName()))
            .fetchTogglesInterval(Math.max(1, settings.fetchInterval().toSeconds()))
            .fetchTogglesConnectTimeout(CONNECT_TIMEOUT)
            .fetchTogglesReadTimeout(READ_TIMEOUT)
            .sendMetricsConnectTimeout(CONNECT_TIMEOUT)
            .sendMetricsReadTimeout(READ_TIMEOUT)
            .synchronousFetchOnInitialisation(false)
            // The default executor is one JVM-wide instance that shutdown() stops for good, so a
            // second client (a restart of the provider, another test) would never poll.
            .scheduledExecutor(new UnleashScheduledExecutorImpl())
            .subscriber(health);
    settings.token().ifPresent(token -> config.customHttpHeader("Authorization", token));
    Optional<Path> bootstrap = settings.bootstrapFile();
    if (bootstrap.isPresent()) {
      Path file = bootstrap.get();
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            "flags.unleash.bootstrap_file "
                + file.toAbsolutePath()
                + " is not a readable file (Unleash "
                + settings.url()
                + " would start with no toggles)");
      }
      config.toggleBootstrapProvider(new ToggleBootstrapFileProvider(file.toString()));
    }
    DefaultUnleash client = new DefaultUnleash(config.build());
    health.started(
        client.more().getFeatureToggleNames().size(), bootstrap.map(Path::toString).orElse(null));
    return new UnleashFlags(client, health::describe);
  }

  /** {@code turnout-<host>-<pid>}: tells Turnout instances apart in Unleash's metrics. */
  private static String instanceId(String appName) {
    String host = System.getenv("HOSTNAME");
    return appName
        + "-"
        + (host == null || host.isBlank() ? "localhost" : host)
        + "-"
        + ProcessHandle.current().pid();
  }

  @Override
  public boolean readsNew(Migration migration, MigrationState state, String stickyKey) {
    if (!ReadCeiling.allows(migration, state, stickyKey)) {
      return false;
    }
    Optional<String> toggle = migration.reads().toggle();
    if (toggle.isEmpty()) {
      if (!withoutToggle.contains(migration.id())) {
        withoutToggle.add(migration.id());
      }
      return true; // the built-in rule, already applied above
    }
    UnleashContext context =
        UnleashContext.builder()
            .userId(stickyKey)
            .sessionId(stickyKey)
            .addProperty("migration", migration.id())
            .build();
    try {
      return client.isEnabled(toggle.get(), context, false);
    } catch (RuntimeException e) {
      // The client catches its own failures; this guards the request path against a bug in it.
      LOG.warn(
          "Unleash toggle '{}' of migration '{}' failed, read served by old: {}",
          toggle.get(),
          migration.id(),
          e.toString());
      return false;
    }
  }

  @Override
  public String describe() {
    String line = status.get();
    if (withoutToggle.isEmpty()) {
      return line;
    }
    return line + "; builtin rule (no reads.toggle) for " + new TreeSet<>(withoutToggle);
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
