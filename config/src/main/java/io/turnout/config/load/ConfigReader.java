package io.turnout.config.load;

import static io.turnout.config.load.NodeReader.isNull;
import static io.turnout.config.load.NodeReader.unknownBackend;

import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.FlagSettings;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TlsSettings;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.Units;
import io.turnout.config.plan.Migration;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads a composed YAML node tree into a {@link TurnoutConfig}, collecting every problem with the
 * line and column of the node it concerns. One instance reads one file.
 *
 * <p>Value problems point at the value, unknown and duplicate keys at the key, missing keys at the
 * mapping that lacks them. A reader method that finds a problem records it and returns null, so
 * that reading goes on and the next problem is found too.
 */
final class ConfigReader {
  static final List<String> TOP_KEYS =
      List.of(
          "listen", "admin", "backends", "default_backend", "proxy", "tls", "flags", "migrations");
  static final List<String> ADMIN_KEYS = List.of("listen", "token", "open_reads", "tls");
  static final List<String> PROXY_KEYS =
      List.of(
          "max_client_connections",
          "max_message_size",
          "connect_timeout",
          "idle_timeout",
          "shutdown_grace",
          "worker_threads");
  static final List<String> TLS_KEYS = List.of("cert", "key");
  static final List<String> FLAGS_KEYS = List.of("provider", "unleash");
  static final List<String> UNLEASH_KEYS =
      List.of("url", "token", "app_name", "bootstrap_file", "fetch_interval");

  /** Largest accepted {@code max_client_connections}: beyond it a typo is likelier than intent. */
  static final int MAX_CLIENT_CONNECTIONS = 1_000_000;

  private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  private final NodeReader nodes;

  ConfigReader(NodeReader nodes) {
    this.nodes = nodes;
  }

  /** The config, or null when there were problems (see {@link NodeReader#problems()}). */
  TurnoutConfig read(Node root) {
    Fields top;
    if (root == null || isNull(root)) {
      top = Fields.empty(nodes);
    } else {
      top = nodes.mapping(root, "", "a mapping of settings (listen:, backends:, migrations: …)");
      if (top == null) {
        return null;
      }
    }
    top.rejectUnknown(TOP_KEYS);

    Node listenNode = top.get("listen");
    HostPort listen =
        listenNode == null ? TurnoutConfig.DEFAULT_LISTEN : nodes.hostPort(listenNode, "listen");
    AdminSettings admin = readAdmin(top.get("admin"));

    Map<String, BackendUrl> backends = new LinkedHashMap<>();
    Set<String> backendNames = new LinkedHashSet<>();
    Node backendsNode = top.get("backends");
    if (backendsNode == null) {
      top.missing(
          "backends",
          "at least one backend is required, e.g. backends: { primary:"
              + " postgresql://app@127.0.0.1:5432/app }");
    } else {
      readBackends(backendsNode, backends, backendNames);
    }
    String defaultBackend =
        readDefaultBackend(top.get("default_backend"), backendsNode, backendNames);

    ProxyLimits proxy = readProxy(top.get("proxy"));
    Optional<TlsSettings> tls = readTls(top.get("tls"), "tls");
    FlagSettings flags = readFlags(top.get("flags"));

    List<Migration> migrations = new ArrayList<>();
    Node migrationsNode = top.get("migrations");
    if (migrationsNode != null) {
      new MigrationReader(nodes)
          .readMigrations(migrationsNode, backendNames, defaultBackend, migrations);
    }

    if (!nodes.problems().isEmpty()) {
      return null;
    }
    try {
      return new TurnoutConfig(
          listen, admin, backends, defaultBackend, proxy, tls, flags, migrations);
    } catch (IllegalArgumentException e) {
      // Every rule of the record is checked above with a position; this is a safety net.
      nodes.problemAt(0, 0, "", e.getMessage());
      return null;
    }
  }

  // ---------------------------------------------------------------- sections

  /**
   * An {@code admin:} section turns the admin API on, and then a token is required wherever it
   * listens: even on loopback, any local process (or a browser tricked into a request) could
   * otherwise change routing. Refusing to start beats running open.
   */
  private AdminSettings readAdmin(Node node) {
    if (node == null) {
      return AdminSettings.DEFAULTS;
    }
    Fields f = nodes.mapping(node, "admin", "a mapping with listen:, token:, open_reads: and tls:");
    if (f == null) {
      return AdminSettings.DEFAULTS;
    }
    f.rejectUnknown(ADMIN_KEYS);
    Node listenNode = f.get("listen");
    HostPort listen =
        listenNode == null
            ? AdminSettings.DEFAULT_LISTEN
            : nodes.hostPort(listenNode, "admin.listen");

    Node tokenNode = f.get("token");
    String token = null;
    boolean tokenReadable = true;
    if (tokenNode != null) {
      token = nodes.scalar(tokenNode, "admin.token", "a token string");
      tokenReadable = token != null;
    }
    if (tokenReadable && (token == null || token.isEmpty())) {
      // Point at the empty value if there is one, at `token:` if it has none, else at admin:.
      NodeTuple written = f.entries.get("token");
      Node at = tokenNode != null ? tokenNode : written != null ? written.getKeyNode() : node;
      String where =
          listen != null && !listen.isLoopback()
              ? ", and it listens on "
                  + listen
                  + ", which is not a loopback address: anyone who reaches it could change"
                  + " routing"
              : "";
      nodes.problem(
          at,
          "admin.token",
          "a token is required: the admin API accepts no change without one"
              + where
              + " (set token: \"${TURNOUT_ADMIN_TOKEN}\")");
    }

    boolean openReads = false;
    Node openReadsNode = f.get("open_reads");
    if (openReadsNode != null) {
      Boolean b = nodes.bool(openReadsNode, "admin.open_reads");
      openReads = b != null && b;
    }
    Optional<TlsSettings> tls = readTls(f.get("tls"), "admin.tls");

    if (listen == null || token == null || token.isEmpty()) {
      return AdminSettings.DEFAULTS; // a problem is recorded, so the config is not built
    }
    return new AdminSettings(true, listen, Optional.of(token), openReads, tls);
  }

  private void readBackends(Node node, Map<String, BackendUrl> backends, Set<String> names) {
    Fields f = nodes.mapping(node, "backends", "a mapping of backend name to postgresql:// URL");
    if (f == null) {
      return;
    }
    if (f.entries.isEmpty()) {
      nodes.problem(
          node,
          "backends",
          "at least one backend is required, e.g. primary: postgresql://app@127.0.0.1:5432/app");
      return;
    }
    for (Map.Entry<String, NodeTuple> e : f.entries.entrySet()) {
      String name = e.getKey();
      String path = "backends." + name;
      f.taken.add(name);
      if (!BACKEND_NAME.matcher(name).matches()) {
        nodes.problem(
            e.getValue().getKeyNode(),
            path,
            "backend name '" + name + "' may use only letters, digits, '-' and '_'");
        continue;
      }
      names.add(name);
      Node value = e.getValue().getValueNode();
      if (isNull(value)) {
        nodes.problem(
            e.getValue().getKeyNode(),
            path,
            "needs a URL, e.g. postgresql://app@127.0.0.1:5432/app");
        continue;
      }
      String text = nodes.scalar(value, path, "a postgresql:// URL");
      if (text == null) {
        continue;
      }
      try {
        backends.put(name, BackendUrl.parse(text));
      } catch (IllegalArgumentException ex) {
        nodes.problem(value, path, ex.getMessage());
      }
    }
  }

  private String readDefaultBackend(Node node, Node backendsNode, Set<String> names) {
    if (node != null) {
      String name = nodes.scalar(node, "default_backend", "a backend name");
      if (name == null) {
        return null;
      }
      if (!names.contains(name)) {
        if (!names.isEmpty()) {
          nodes.problem(node, "default_backend", unknownBackend(name, names));
        }
        return null;
      }
      return name;
    }
    if (names.contains(TurnoutConfig.PRIMARY)) {
      return TurnoutConfig.PRIMARY;
    }
    if (names.size() == 1) {
      return names.iterator().next();
    }
    if (names.size() > 1) {
      nodes.problem(
          backendsNode,
          "backends",
          "with several backends, name one 'primary' or set default_backend (backends: "
              + String.join(", ", names)
              + ")");
    }
    return null;
  }

  private ProxyLimits readProxy(Node node) {
    ProxyLimits d = ProxyLimits.DEFAULTS;
    if (node == null) {
      return d;
    }
    Fields f = nodes.mapping(node, "proxy", "a mapping of proxy limits");
    if (f == null) {
      return d;
    }
    f.rejectUnknown(PROXY_KEYS);
    int maxConnections = d.maxClientConnections();
    Node n = f.get("max_client_connections");
    if (n != null) {
      Long v = nodes.wholeNumber(n, "proxy.max_client_connections", 1, MAX_CLIENT_CONNECTIONS);
      maxConnections = v == null ? maxConnections : v.intValue();
    }
    int maxMessage = d.maxMessageSize();
    n = f.get("max_message_size");
    if (n != null) {
      String text = nodes.scalar(n, "proxy.max_message_size", "a size like 64MB");
      if (text != null) {
        try {
          long bytes = Units.parseSize(text);
          if (bytes < ProxyLimits.MIN_MESSAGE_SIZE || bytes > ProxyLimits.MAX_MESSAGE_SIZE_LIMIT) {
            nodes.problem(
                n,
                "proxy.max_message_size",
                "'" + text + "' is out of range (8kB..1GB; PostgreSQL refuses messages over 1GB)");
          } else {
            maxMessage = (int) bytes;
          }
        } catch (IllegalArgumentException e) {
          nodes.problem(n, "proxy.max_message_size", e.getMessage());
        }
      }
    }
    Duration connect = nodes.duration(f.get("connect_timeout"), "proxy.connect_timeout", false);
    Duration idle = nodes.duration(f.get("idle_timeout"), "proxy.idle_timeout", true);
    Duration grace = nodes.duration(f.get("shutdown_grace"), "proxy.shutdown_grace", true);
    int workers = d.workerThreads();
    n = f.get("worker_threads");
    if (n != null) {
      Long v = nodes.wholeNumber(n, "proxy.worker_threads", 0, ProxyLimits.MAX_WORKER_THREADS);
      workers = v == null ? workers : v.intValue();
    }
    return new ProxyLimits(
        maxConnections,
        maxMessage,
        connect == null ? d.connectTimeout() : connect,
        idle == null ? d.idleTimeout() : idle,
        grace == null ? d.shutdownGrace() : grace,
        workers);
  }

  /** {@code tls:} or {@code admin.tls:}; {@code path} is the setting's name in messages. */
  private Optional<TlsSettings> readTls(Node node, String path) {
    if (node == null) {
      return Optional.empty();
    }
    Fields f = nodes.mapping(node, path, "a mapping with cert: and key:");
    if (f == null) {
      return Optional.empty();
    }
    f.rejectUnknown(TLS_KEYS);
    Path cert = nodes.path(f.require("cert", "the PEM certificate chain file"), path + ".cert");
    Path key = nodes.path(f.require("key", "the PEM private key file"), path + ".key");
    if (cert == null || key == null) {
      return Optional.empty();
    }
    return Optional.of(new TlsSettings(cert, key));
  }

  private FlagSettings readFlags(Node node) {
    if (node == null) {
      return FlagSettings.DEFAULTS;
    }
    Fields f = nodes.mapping(node, "flags", "a mapping like { provider: builtin }");
    if (f == null) {
      return FlagSettings.DEFAULTS;
    }
    f.rejectUnknown(FLAGS_KEYS);
    FlagSettings.Provider provider = FlagSettings.Provider.BUILTIN;
    Node providerNode = f.get("provider");
    if (providerNode != null) {
      provider =
          nodes.choice(providerNode, "flags.provider", "provider", FlagSettings.Provider.class);
    }
    Node unleashNode = f.get("unleash");
    Optional<FlagSettings.Unleash> unleash = Optional.empty();
    boolean unleashOk = true;
    if (unleashNode != null) {
      // Read even with provider: builtin, so that settings kept for a later switch are valid.
      FlagSettings.Unleash u = readUnleash(unleashNode);
      unleash = Optional.ofNullable(u);
      unleashOk = u != null;
    } else if (provider == FlagSettings.Provider.UNLEASH) {
      f.missing(
          "unleash",
          "required with provider: unleash, e.g. unleash: { url: https://unleash.internal/api }");
      return FlagSettings.DEFAULTS;
    }
    if (provider == null || !unleashOk) {
      return FlagSettings.DEFAULTS; // a problem is recorded, so the config is not built
    }
    return new FlagSettings(provider, unleash);
  }

  private FlagSettings.Unleash readUnleash(Node node) {
    String path = "flags.unleash";
    Fields f = nodes.mapping(node, path, "a mapping like { url: https://unleash.internal/api }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(UNLEASH_KEYS);
    boolean ok = true;

    Node urlNode = f.require("url", "the Unleash API URL, e.g. https://unleash.internal/api");
    String url = urlNode == null ? null : httpUrl(urlNode, path + ".url");
    ok &= url != null;

    Optional<String> token = Optional.empty();
    Node tokenNode = f.get("token");
    if (tokenNode != null) {
      String t = nodes.scalar(tokenNode, path + ".token", "an Unleash client API token");
      ok &= t != null;
      if (t != null && !t.isEmpty()) {
        token = Optional.of(t);
      }
    }

    String appName = FlagSettings.Unleash.DEFAULT_APP_NAME;
    Node appNode = f.get("app_name");
    if (appNode != null) {
      String a = nodes.scalar(appNode, path + ".app_name", "an application name");
      if (a != null && a.isBlank()) {
        nodes.problem(
            appNode,
            path + ".app_name",
            "the application name is empty (leave it out for '"
                + FlagSettings.Unleash.DEFAULT_APP_NAME
                + "')");
        a = null;
      }
      ok &= a != null;
      appName = a == null ? appName : a.strip();
    }

    Node bootstrapNode = f.get("bootstrap_file");
    Path bootstrap = nodes.path(bootstrapNode, path + ".bootstrap_file");
    ok &= bootstrapNode == null || bootstrap != null;

    Node intervalNode = f.get("fetch_interval");
    Duration interval = nodes.duration(intervalNode, path + ".fetch_interval", false);
    ok &= intervalNode == null || interval != null;

    if (!ok) {
      return null;
    }
    return new FlagSettings.Unleash(
        url,
        token,
        appName,
        Optional.ofNullable(bootstrap),
        interval == null ? FlagSettings.Unleash.DEFAULT_FETCH_INTERVAL : interval);
  }

  /** An absolute {@code http://} or {@code https://} URL with a host, as written. */
  private String httpUrl(Node node, String path) {
    String text = nodes.scalar(node, path, "an http:// or https:// URL");
    if (text == null) {
      return null;
    }
    String t = text.strip();
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      nodes.problem(node, path, "'" + text + "' is not a URL: " + e.getReason());
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      nodes.problem(
          node,
          path,
          "'" + text + "' must be an http:// or https:// URL, e.g. https://unleash.internal/api");
      return null;
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      nodes.problem(node, path, "'" + text + "' has no host, e.g. https://unleash.internal/api");
      return null;
    }
    return t;
  }
}
