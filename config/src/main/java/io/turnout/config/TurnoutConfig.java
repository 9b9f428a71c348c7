package io.turnout.config;

import io.turnout.config.plan.Migration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The whole plan file ({@code turnout.yaml}): where the proxy listens, the admin API, the backends,
 * proxy limits, TLS, and the migrations. Immutable; {@link io.turnout.config.load.ConfigLoader}
 * builds it from YAML, {@link #minimal} without a file.
 *
 * @param backends backend name → URL, in file order; never empty
 * @param defaultBackend the backend clients are connected to and migrations use unless they name
 *     another: {@code default_backend} if set, else {@code primary}, else the only backend
 */
public record TurnoutConfig(
    HostPort listen,
    AdminSettings admin,
    Map<String, BackendUrl> backends,
    String defaultBackend,
    ProxyLimits proxy,
    Optional<TlsSettings> tls,
    FlagSettings flags,
    List<Migration> migrations) {
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 6432);

  /** The backend name used when a plan has no file, or names no backend "primary". */
  public static final String PRIMARY = "primary";

  public TurnoutConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(defaultBackend, "defaultBackend");
    Objects.requireNonNull(proxy, "proxy");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(flags, "flags");
    backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    migrations = List.copyOf(migrations);
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("at least one backend is required");
    }
    if (!backends.containsKey(defaultBackend)) {
      throw new IllegalArgumentException(
          "default backend '" + defaultBackend + "' is not one of " + backends.keySet());
    }
    Set<String> ids = new HashSet<>();
    for (Migration m : migrations) {
      if (!ids.add(m.id())) {
        throw new IllegalArgumentException("duplicate migration id '" + m.id() + "'");
      }
      if (!backends.containsKey(m.backend())) {
        throw new IllegalArgumentException(
            "migration '" + m.id() + "' names unknown backend '" + m.backend() + "'");
      }
    }
  }

  /** With the built-in flag provider. */
  public TurnoutConfig(
      HostPort listen,
      AdminSettings admin,
      Map<String, BackendUrl> backends,
      String defaultBackend,
      ProxyLimits proxy,
      Optional<TlsSettings> tls,
      List<Migration> migrations) {
    this(listen, admin, backends, defaultBackend, proxy, tls, FlagSettings.DEFAULTS, migrations);
  }

  /** What {@code turnout serve --listen … --backend …} runs with no file: no migrations. */
  public static TurnoutConfig minimal(HostPort listen, BackendUrl backend) {
    return new TurnoutConfig(
        listen,
        AdminSettings.DEFAULTS,
        Map.of(PRIMARY, backend),
        PRIMARY,
        ProxyLimits.DEFAULTS,
        Optional.empty(),
        List.of());
  }

  /** This config listening elsewhere ({@code --listen}). */
  public TurnoutConfig withListen(HostPort newListen) {
    return new TurnoutConfig(
        newListen, admin, backends, defaultBackend, proxy, tls, flags, migrations);
  }

  /** This config with the default backend's URL replaced ({@code --backend}); its name stays. */
  public TurnoutConfig withBackend(BackendUrl url) {
    Map<String, BackendUrl> next = new LinkedHashMap<>(backends);
    next.put(defaultBackend, url);
    return new TurnoutConfig(listen, admin, next, defaultBackend, proxy, tls, flags, migrations);
  }

  /** This config with other admin settings ({@code --admin-listen}, a token from elsewhere). */
  public TurnoutConfig withAdmin(AdminSettings newAdmin) {
    return new TurnoutConfig(
        listen, newAdmin, backends, defaultBackend, proxy, tls, flags, migrations);
  }

  /** The default backend's URL. */
  public BackendUrl defaultBackendUrl() {
    return backends.get(defaultBackend);
  }

  public Optional<BackendUrl> backend(String name) {
    return Optional.ofNullable(backends.get(name));
  }

  public Optional<Migration> migration(String id) {
    return migrations.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** Migrations whose table lives on {@code backendName}, in file order. */
  public List<Migration> migrationsOn(String backendName) {
    List<Migration> on = new ArrayList<>();
    for (Migration m : migrations) {
      if (m.backend().equals(backendName)) {
        on.add(m);
      }
    }
    return List.copyOf(on);
  }
}
