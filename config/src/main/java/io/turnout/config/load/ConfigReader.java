package io.turnout.config.load;

import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TlsSettings;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.Units;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.validate.ExpressionAnalysis;
import io.turnout.config.validate.Suggestions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a composed YAML node tree into a {@link TurnoutConfig}, collecting every problem with the
 * line and column of the node it concerns. One instance reads one file.
 *
 * <p>Value problems point at the value, unknown and duplicate keys at the key, missing keys at
 * the mapping that lacks them. A reader method that finds a problem records it and returns null,
 * so that reading goes on and the next problem is found too.
 */
final class ConfigReader {
  static final List<String> TOP_KEYS =
      List.of("listen", "admin", "backends", "default_backend", "proxy", "tls", "migrations");
  static final List<String> ADMIN_KEYS = List.of("listen", "token");
  static final List<String> PROXY_KEYS =
      List.of(
          "max_client_connections",
          "max_message_size",
          "connect_timeout",
          "idle_timeout",
          "shutdown_grace");
  static final List<String> TLS_KEYS = List.of("cert", "key");
  static final List<String> MIGRATION_KEYS =
      List.of("id", "kind", "table", "backend", "reads", "shadow", "on_unanalysable");
  static final List<String> RENAME_KEYS = List.of("from", "to");
  static final List<String> TRANSFORM_KEYS = List.of("old", "new", "forward", "backward");
  static final List<String> READS_KEYS = List.of("sticky", "key_column");
  static final List<String> SHADOW_KEYS = List.of("sample", "max_mismatch_rate");
  static final List<String> UNANALYSABLE_KEYS = List.of("reads", "writes");

  static final List<String> KINDS = List.of(RenameColumn.KIND, TransformColumn.KIND);

  /** Largest accepted {@code max_client_connections}: beyond it a typo is likelier than intent. */
  static final int MAX_CLIENT_CONNECTIONS = 1_000_000;

  private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  private final String source;
  private final Map<String, String> env;
  private final Optional<Path> baseDirectory;
  private final List<ConfigProblem> problems = new ArrayList<>();

  ConfigReader(String source, Map<String, String> env, Optional<Path> baseDirectory) {
    this.source = source;
    this.env = env;
    this.baseDirectory = baseDirectory;
  }

  List<ConfigProblem> problems() {
    return problems;
  }

  /** The config, or null when there were problems (see {@link #problems()}). */
  TurnoutConfig read(Node root) {
    Fields top;
    if (root == null || isNull(root)) {
      top = Fields.empty(this);
    } else {
      top = mapping(root, "", "a mapping of settings (listen:, backends:, migrations: …)");
      if (top == null) {
        return null;
      }
    }
    top.rejectUnknown(TOP_KEYS);

    Node listenNode = top.get("listen");
    HostPort listen = listenNode == null ? TurnoutConfig.DEFAULT_LISTEN : hostPort(listenNode, "listen");
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
    String defaultBackend = readDefaultBackend(top.get("default_backend"), backendsNode, backendNames);

    ProxyLimits proxy = readProxy(top.get("proxy"));
    Optional<TlsSettings> tls = readTls(top.get("tls"));

    List<Migration> migrations = new ArrayList<>();
    Node migrationsNode = top.get("migrations");
    if (migrationsNode != null) {
      readMigrations(migrationsNode, backendNames, defaultBackend, migrations);
    }

    if (!problems.isEmpty()) {
      return null;
    }
    try {
      return new TurnoutConfig(listen, admin, backends, defaultBackend, proxy, tls, migrations);
    } catch (IllegalArgumentException e) {
      // Every rule of the record is checked above with a position; this is a safety net.
      problems.add(new ConfigProblem(source, 0, 0, "", e.getMessage()));
      return null;
    }
  }

  // ---------------------------------------------------------------- sections

  private AdminSettings readAdmin(Node node) {
    if (node == null) {
      return AdminSettings.DEFAULTS;
    }
    Fields f = mapping(node, "admin", "a mapping with listen: and token:");
    if (f == null) {
      return AdminSettings.DEFAULTS;
    }
    f.rejectUnknown(ADMIN_KEYS);
    Node listenNode = f.get("listen");
    HostPort listen =
        listenNode == null ? AdminSettings.DEFAULT_LISTEN : hostPort(listenNode, "admin.listen");
    Optional<String> token = Optional.empty();
    Node tokenNode = f.get("token");
    if (tokenNode != null) {
      String t = scalar(tokenNode, "admin.token", "a token string");
      if (t != null && !t.isEmpty()) {
        token = Optional.of(t);
      }
    }
    if (listen != null && !listen.isLoopback() && token.isEmpty()) {
      problem(
          tokenNode != null ? tokenNode : node,
          "admin.token",
          "a token is required when the admin API listens on "
              + listen
              + ", which is not a loopback address: anyone who reaches it could change routing");
    }
    return listen == null ? AdminSettings.DEFAULTS : new AdminSettings(listen, token);
  }

  private void readBackends(Node node, Map<String, BackendUrl> backends, Set<String> names) {
    Fields f = mapping(node, "backends", "a mapping of backend name to postgresql:// URL");
    if (f == null) {
      return;
    }
    if (f.entries.isEmpty()) {
      problem(
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
        problem(
            e.getValue().getKeyNode(),
            path,
            "backend name '" + name + "' may use only letters, digits, '-' and '_'");
        continue;
      }
      names.add(name);
      Node value = e.getValue().getValueNode();
      if (isNull(value)) {
        problem(e.getValue().getKeyNode(), path, "needs a URL, e.g. postgresql://app@127.0.0.1:5432/app");
        continue;
      }
      String text = scalar(value, path, "a postgresql:// URL");
      if (text == null) {
        continue;
      }
      try {
        backends.put(name, BackendUrl.parse(text));
      } catch (IllegalArgumentException ex) {
        problem(value, path, ex.getMessage());
      }
    }
  }

  private String readDefaultBackend(Node node, Node backendsNode, Set<String> names) {
    if (node != null) {
      String name = scalar(node, "default_backend", "a backend name");
      if (name == null) {
        return null;
      }
      if (!names.contains(name)) {
        if (!names.isEmpty()) {
          problem(node, "default_backend", unknownBackend(name, names));
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
      problem(
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
    Fields f = mapping(node, "proxy", "a mapping of proxy limits");
    if (f == null) {
      return d;
    }
    f.rejectUnknown(PROXY_KEYS);
    int maxConnections = d.maxClientConnections();
    Node n = f.get("max_client_connections");
    if (n != null) {
      Long v = wholeNumber(n, "proxy.max_client_connections", 1, MAX_CLIENT_CONNECTIONS);
      maxConnections = v == null ? maxConnections : v.intValue();
    }
    int maxMessage = d.maxMessageSize();
    n = f.get("max_message_size");
    if (n != null) {
      String text = scalar(n, "proxy.max_message_size", "a size like 64MB");
      if (text != null) {
        try {
          long bytes = Units.parseSize(text);
          if (bytes < ProxyLimits.MIN_MESSAGE_SIZE || bytes > ProxyLimits.MAX_MESSAGE_SIZE_LIMIT) {
            problem(
                n,
                "proxy.max_message_size",
                "'" + text + "' is out of range (8kB..1GB; PostgreSQL refuses messages over 1GB)");
          } else {
            maxMessage = (int) bytes;
          }
        } catch (IllegalArgumentException e) {
          problem(n, "proxy.max_message_size", e.getMessage());
        }
      }
    }
    Duration connect = duration(f.get("connect_timeout"), "proxy.connect_timeout", false);
    Duration idle = duration(f.get("idle_timeout"), "proxy.idle_timeout", true);
    Duration grace = duration(f.get("shutdown_grace"), "proxy.shutdown_grace", true);
    return new ProxyLimits(
        maxConnections,
        maxMessage,
        connect == null ? d.connectTimeout() : connect,
        idle == null ? d.idleTimeout() : idle,
        grace == null ? d.shutdownGrace() : grace);
  }

  private Optional<TlsSettings> readTls(Node node) {
    if (node == null) {
      return Optional.empty();
    }
    Fields f = mapping(node, "tls", "a mapping with cert: and key:");
    if (f == null) {
      return Optional.empty();
    }
    f.rejectUnknown(TLS_KEYS);
    Path cert = path(f.require("cert", "the PEM certificate chain file"), "tls.cert");
    Path key = path(f.require("key", "the PEM private key file"), "tls.key");
    if (cert == null || key == null) {
      return Optional.empty();
    }
    return Optional.of(new TlsSettings(cert, key));
  }

  // ---------------------------------------------------------------- migrations

  /**
   * What was read of one migration, even when it has problems, so that the checks across
   * migrations (duplicate ids, unknown backends, shared columns) still run on the rest.
   */
  private static final class Read {
    final String path;
    String id;
    Node idNode;
    String backend;
    Node backendNode;
    TableName table;
    Node tableNode;
    final Set<String> columns = new LinkedHashSet<>();
    /** Null when this migration has problems of its own. */
    Migration migration;

    Read(String path) {
      this.path = path;
    }
  }

  private void readMigrations(
      Node node, Set<String> backendNames, String defaultBackend, List<Migration> out) {
    if (!(node instanceof SequenceNode seq)) {
      problem(node, "migrations", "expected a list of migrations (- id: …), found " + describe(node));
      return;
    }
    List<Read> read = new ArrayList<>();
    List<Node> items = seq.getValue();
    for (int i = 0; i < items.size(); i++) {
      read.add(readMigration(items.get(i), "migrations[" + i + "]"));
    }

    Map<String, Read> byId = new HashMap<>();
    for (Read r : read) {
      if (r.id == null) {
        continue;
      }
      Read first = byId.putIfAbsent(r.id, r);
      if (first != null) {
        problem(
            r.idNode,
            r.path + ".id",
            "duplicate id '"
                + r.id
                + "' (first used by "
                + first.path
                + " at line "
                + line(first.idNode)
                + ")");
      }
    }

    // One migration per column at a time: the router could not know which rewrite wins.
    Map<String, Read> owner = new HashMap<>();
    for (Read r : read) {
      if (r.backend != null && !backendNames.contains(r.backend)) {
        if (!backendNames.isEmpty()) {
          problem(r.backendNode, r.path + ".backend", unknownBackend(r.backend, backendNames));
        }
        continue;
      }
      String backend = r.backend == null ? defaultBackend : r.backend;
      if (backend == null || r.table == null) {
        continue; // no default backend (reported under backends) or no table (reported)
      }
      Set<String> reported = new HashSet<>();
      for (String column : r.columns) {
        String key = backend + "\u0000" + r.table.qualified() + "\u0000" + column;
        Read first = owner.putIfAbsent(key, r);
        if (first != null && first != r && reported.add(first.path)) {
          problem(
              r.tableNode,
              r.path + ".table",
              "column "
                  + r.table
                  + "."
                  + column
                  + " is also changed by "
                  + (first.id == null ? first.path : "migration '" + first.id + "'")
                  + " (line "
                  + line(first.tableNode)
                  + "); run one migration per column at a time");
        }
      }
    }

    for (Read r : read) {
      if (r.migration != null) {
        out.add(withBackend(r.migration, r.backend == null ? defaultBackend : r.backend));
      }
    }
  }

  private static Migration withBackend(Migration m, String backend) {
    if (backend == null || backend.equals(m.backend())) {
      return m;
    }
    if (m instanceof RenameColumn r) {
      return new RenameColumn(
          r.id(), backend, r.table(), r.from(), r.to(), r.reads(), r.shadow(), r.onUnanalysable());
    }
    TransformColumn t = (TransformColumn) m;
    return new TransformColumn(
        t.id(),
        backend,
        t.table(),
        t.oldColumns(),
        t.newColumns(),
        t.forward(),
        t.backward(),
        t.reads(),
        t.shadow(),
        t.onUnanalysable());
  }

  /** Reads one migration; {@code migration} is set only when it has no problems of its own. */
  private Read readMigration(Node node, String path) {
    Read r = new Read(path);
    Fields f = mapping(node, path, "a migration (id:, kind:, table: …)");
    if (f == null) {
      return r;
    }
    Node idNode = f.require("id", "a unique name, e.g. rename-email");
    String id = null;
    if (idNode != null) {
      id = scalar(idNode, path + ".id", "a migration id");
      if (id != null && !MIGRATION_ID.matcher(id).matches()) {
        problem(
            idNode,
            path + ".id",
            "id '"
                + id
                + "' may use only letters, digits, '-', '_' and '.', start with a letter or"
                + " digit, and be at most 63 characters (it is typed on the command line)");
        id = null;
      }
    }
    r.id = id;
    r.idNode = idNode;

    Node kindNode = f.require("kind", "rename_column or transform_column");
    String kind = null;
    if (kindNode != null) {
      String k = scalar(kindNode, path + ".kind", "a kind");
      if (k != null && KINDS.contains(k)) {
        kind = k;
      } else if (k != null) {
        problem(
            kindNode,
            path + ".kind",
            "unknown kind '" + k + "' (expected " + orList(KINDS) + ")");
      }
    }

    List<String> allowed = new ArrayList<>(MIGRATION_KEYS);
    if (kind == null) {
      allowed.addAll(RENAME_KEYS);
      allowed.addAll(TRANSFORM_KEYS);
    } else {
      allowed.addAll(kind.equals(RenameColumn.KIND) ? RENAME_KEYS : TRANSFORM_KEYS);
    }
    String kindForHint = kind;
    f.rejectUnknown(
        allowed,
        key -> {
          if (kindForHint == null) {
            return null;
          }
          if (RENAME_KEYS.contains(key) && !kindForHint.equals(RenameColumn.KIND)) {
            return "'" + key + "' belongs to kind rename_column, not " + kindForHint;
          }
          if (TRANSFORM_KEYS.contains(key) && !kindForHint.equals(TransformColumn.KIND)) {
            return "'" + key + "' belongs to kind transform_column, not " + kindForHint;
          }
          return null;
        });

    Node tableNode = f.require("table", "the table it changes, e.g. public.users");
    TableName table = null;
    if (tableNode != null) {
      String t = scalar(tableNode, path + ".table", "a table name");
      if (t != null) {
        try {
          table = TableName.parse(t.strip());
        } catch (IllegalArgumentException e) {
          problem(tableNode, path + ".table", e.getMessage());
        }
      }
    }
    r.table = table;
    r.tableNode = tableNode;

    Node backendNode = f.get("backend");
    if (backendNode != null) {
      r.backend = scalar(backendNode, path + ".backend", "a backend name");
      r.backendNode = backendNode;
    }

    ReadPolicy reads = readReads(f.get("reads"), path + ".reads");
    ShadowPolicy shadow = readShadow(f.get("shadow"), path + ".shadow");
    UnanalysablePolicy unanalysable =
        readUnanalysable(f.get("on_unanalysable"), path + ".on_unanalysable");

    Migration m = null;
    if (kind != null && kind.equals(RenameColumn.KIND)) {
      Node fromNode = f.require("from", "the column's current name");
      Node toNode = f.require("to", "the column's new name");
      String from = fromNode == null ? null : identifier(fromNode, path + ".from");
      String to = toNode == null ? null : identifier(toNode, path + ".to");
      if (from != null) {
        r.columns.add(from);
      }
      if (from != null && to != null && from.equals(to)) {
        problem(
            toNode,
            path + ".to",
            "'" + to + "' is the same column as from; a rename needs a new name");
        to = null;
      }
      if (to != null) {
        r.columns.add(to);
      }
      if (id != null && table != null && from != null && to != null && reads != null
          && shadow != null && unanalysable != null) {
        m = new RenameColumn(id, r.backend, table, from, to, reads, shadow, unanalysable);
      }
    } else if (kind != null) {
      m = readTransform(f, r, reads, shadow, unanalysable);
    }
    if (reads != null
        && reads.keyColumn().isPresent()
        && r.columns.contains(reads.keyColumn().get())) {
      problem(
          valueOf(f.entries.get("reads").getValueNode(), "key_column"),
          path + ".reads.key_column",
          "'"
              + reads.keyColumn().get()
              + "' is changed by this migration; key reads by a stable column such as the"
              + " primary key");
      m = null;
    }
    r.migration = m;
    return r;
  }

  private Migration readTransform(
      Fields f, Read r, ReadPolicy reads, ShadowPolicy shadow, UnanalysablePolicy unanalysable) {
    String path = r.path;
    Node oldNode = f.require("old", "the columns being replaced, e.g. [name]");
    Node newNode = f.require("new", "the columns that replace them, e.g. [first_name, last_name]");
    List<String> oldColumns = oldNode == null ? null : identifierList(oldNode, path + ".old");
    List<String> newColumns = newNode == null ? null : identifierList(newNode, path + ".new");
    if (oldColumns != null) {
      r.columns.addAll(oldColumns);
    }
    if (oldColumns != null && newColumns != null) {
      List<Node> newItems = ((SequenceNode) newNode).getValue();
      for (int i = 0; i < newColumns.size(); i++) {
        if (oldColumns.contains(newColumns.get(i))) {
          problem(
              newItems.get(i),
              path + ".new[" + i + "]",
              "'"
                  + newColumns.get(i)
                  + "' is also an old column; new columns need new names (expand creates them"
                  + " next to the old ones)");
          newColumns = null;
          break;
        }
      }
    }
    if (newColumns != null) {
      r.columns.addAll(newColumns);
    }
    TableName analysed = r.table == null ? new TableName("public", "?") : r.table;
    Node forwardNode = f.require("forward", "an expression over the old columns for each new column");
    Node backwardNode =
        f.require("backward", "an expression over the new columns for each old column");
    Map<String, String> forward =
        forwardNode == null
            ? null
            : expressions(forwardNode, path + ".forward", "new", newColumns, "old", oldColumns, analysed);
    Map<String, String> backward =
        backwardNode == null
            ? null
            : expressions(backwardNode, path + ".backward", "old", oldColumns, "new", newColumns, analysed);
    if (r.id == null || r.table == null || oldColumns == null || newColumns == null
        || forward == null || backward == null || reads == null || shadow == null
        || unanalysable == null) {
      return null;
    }
    return new TransformColumn(
        r.id,
        r.backend,
        r.table,
        oldColumns,
        newColumns,
        forward,
        backward,
        reads,
        shadow,
        unanalysable);
  }

  /**
   * Reads {@code forward} or {@code backward}: one expression per target column, covering exactly
   * the targets, each reading only source columns.
   */
  private Map<String, String> expressions(
      Node node,
      String path,
      String targetKind,
      List<String> targets,
      String sourceKind,
      List<String> sources,
      TableName table) {
    Fields f = mapping(node, path, "a mapping of " + targetKind + " column to SQL expression");
    if (f == null) {
      return null;
    }
    boolean ok = true;
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, NodeTuple> byColumn = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> e : f.entries.entrySet()) {
      f.taken.add(e.getKey());
      Node keyNode = e.getValue().getKeyNode();
      String column;
      try {
        column = Identifiers.fold(e.getKey());
      } catch (IllegalArgumentException ex) {
        problem(keyNode, path + "." + e.getKey(), ex.getMessage());
        ok = false;
        continue;
      }
      String itemPath = path + "." + column;
      if (byColumn.containsKey(column)) {
        problem(keyNode, itemPath, "column '" + column + "' is given twice");
        ok = false;
        continue;
      }
      byColumn.put(column, e.getValue());
      if (targets != null && !targets.contains(column)) {
        String hint = Suggestions.hint(column, targets);
        problem(
            keyNode,
            itemPath,
            "'"
                + column
                + "' is not a "
                + targetKind
                + " column ("
                + targetKind
                + ": "
                + String.join(", ", targets)
                + (hint.isEmpty() ? "" : "; " + hint)
                + ")");
        ok = false;
        continue;
      }
      Node valueNode = e.getValue().getValueNode();
      if (isNull(valueNode)) {
        problem(keyNode, itemPath, "needs a SQL expression");
        ok = false;
        continue;
      }
      String expression = scalar(valueNode, itemPath, "a SQL expression in quotes");
      if (expression == null) {
        ok = false;
        continue;
      }
      List<String> wrong =
          ExpressionAnalysis.of(expression, table)
              .problems(sources == null ? List.of() : sources, sourceKind);
      for (String message : wrong) {
        // Without a valid list of source columns, only syntax and refusals are meaningful.
        if (sources != null || !message.startsWith("uses column")) {
          problem(valueNode, itemPath, message);
          ok = false;
        }
      }
      out.put(column, expression);
    }
    if (targets != null) {
      List<String> missing = new ArrayList<>();
      for (String t : targets) {
        if (!byColumn.containsKey(t)) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        problem(
            node,
            path,
            "no expression for "
                + targetKind
                + " column"
                + (missing.size() > 1 ? "s " : " ")
                + quotedList(missing)
                + " ("
                + path.substring(path.lastIndexOf('.') + 1)
                + " must give every "
                + targetKind
                + " column exactly once)");
        ok = false;
      }
    }
    return ok && targets != null && sources != null ? out : null;
  }

  private ReadPolicy readReads(Node node, String path) {
    if (node == null) {
      return ReadPolicy.DEFAULT;
    }
    Fields f = mapping(node, path, "a mapping like { sticky: session }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(READS_KEYS);
    ReadPolicy.Stickiness sticky = ReadPolicy.Stickiness.SESSION;
    Node stickyNode = f.get("sticky");
    if (stickyNode != null) {
      sticky = choice(stickyNode, path + ".sticky", "sticky", ReadPolicy.Stickiness.class);
      if (sticky == null) {
        return null;
      }
    }
    Node keyNode = f.get("key_column");
    Optional<String> keyColumn = Optional.empty();
    if (sticky == ReadPolicy.Stickiness.KEY_COLUMN) {
      if (keyNode == null) {
        f.missing(
            "key_column",
            "required with sticky: key_column (the column whose value keys each read, e.g. id)");
        return null;
      }
      String k = identifier(keyNode, path + ".key_column");
      if (k == null) {
        return null;
      }
      keyColumn = Optional.of(k);
    } else if (keyNode != null) {
      problem(
          keyNode,
          path + ".key_column",
          "only used with sticky: key_column (sticky is "
              + sticky.name().toLowerCase(Locale.ROOT)
              + ")");
      return null;
    }
    return new ReadPolicy(sticky, keyColumn);
  }

  private ShadowPolicy readShadow(Node node, String path) {
    if (node == null) {
      return ShadowPolicy.DEFAULT;
    }
    Fields f = mapping(node, path, "a mapping like { sample: 0.1, max_mismatch_rate: 0.001 }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(SHADOW_KEYS);
    Node s = f.get("sample");
    Node m = f.get("max_mismatch_rate");
    // Boxed on purpose: null means "reported", and a ternary would unbox it.
    Double sample = Double.valueOf(ShadowPolicy.DEFAULT.sample());
    if (s != null) {
      sample = fraction(s, path + ".sample");
    }
    Double rate = Double.valueOf(ShadowPolicy.DEFAULT.maxMismatchRate());
    if (m != null) {
      rate = fraction(m, path + ".max_mismatch_rate");
    }
    if (sample == null || rate == null) {
      return null;
    }
    return new ShadowPolicy(sample, rate);
  }

  private UnanalysablePolicy readUnanalysable(Node node, String path) {
    if (node == null) {
      return UnanalysablePolicy.DEFAULT;
    }
    Fields f = mapping(node, path, "a mapping like { reads: old_path, writes: reject }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(UNANALYSABLE_KEYS);
    UnanalysablePolicy.ReadAction reads = UnanalysablePolicy.DEFAULT.reads();
    UnanalysablePolicy.WriteAction writes = UnanalysablePolicy.DEFAULT.writes();
    Node r = f.get("reads");
    if (r != null) {
      reads = choice(r, path + ".reads", "reads", UnanalysablePolicy.ReadAction.class);
    }
    Node w = f.get("writes");
    if (w != null) {
      writes = choice(w, path + ".writes", "writes", UnanalysablePolicy.WriteAction.class);
    }
    if (reads == null || writes == null) {
      return null;
    }
    return new UnanalysablePolicy(reads, writes);
  }

  // ---------------------------------------------------------------- values

  /** A scalar's text with {@code ${VAR}} substituted, or null (problem recorded). */
  String scalar(Node node, String path, String expected) {
    if (!(node instanceof ScalarNode s)) {
      problem(node, path, "expected " + expected + ", found " + describe(node));
      return null;
    }
    try {
      return EnvSubstitution.apply(s.getValue(), env);
    } catch (IllegalArgumentException e) {
      problem(node, path, e.getMessage());
      return null;
    }
  }

  private HostPort hostPort(Node node, String path) {
    String text = scalar(node, path, "HOST:PORT");
    if (text == null) {
      return null;
    }
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      problem(node, path, e.getMessage());
      return null;
    }
  }

  private Long wholeNumber(Node node, String path, long min, long max) {
    String text = scalar(node, path, "a whole number");
    if (text == null) {
      return null;
    }
    String t = text.strip();
    if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (t.startsWith("-")) {
        problem(node, path, "'" + text + "' must not be negative");
      } else {
        problem(node, path, "expected a whole number, found '" + text + "'");
      }
      return null;
    }
    long v = Long.parseLong(t);
    if (v < min || v > max) {
      problem(node, path, v + " is out of range (" + min + ".." + max + ")");
      return null;
    }
    return v;
  }

  private Duration duration(Node node, String path, boolean zeroAllowed) {
    if (node == null) {
      return null;
    }
    String text = scalar(node, path, "a duration like 30s");
    if (text == null) {
      return null;
    }
    try {
      Duration d = Units.parseDuration(text);
      if (d.isZero() && !zeroAllowed) {
        problem(node, path, "must be more than 0");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problem(node, path, e.getMessage());
      return null;
    }
  }

  /** A fraction 0..1, written {@code 0.1} or {@code 10%}. */
  private Double fraction(Node node, String path) {
    String text = scalar(node, path, "a fraction like 0.1 or a percentage like 10%");
    if (text == null) {
      return null;
    }
    String t = text.strip();
    boolean percent = t.endsWith("%");
    String number = percent ? t.substring(0, t.length() - 1).strip() : t;
    double v;
    try {
      if (!number.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
        throw new NumberFormatException();
      }
      v = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      problem(node, path, "expected a fraction like 0.1 or a percentage like 10%, found '" + text + "'");
      return null;
    }
    if (percent) {
      if (v < 0 || v > 100) {
        problem(node, path, "'" + text + "' is out of range (0%..100%)");
        return null;
      }
      return v / 100.0;
    }
    if (v < 0 || v > 1) {
      problem(
          node,
          path,
          "'"
              + text
              + "' is out of range (a fraction 0..1"
              + (v > 1 && v <= 100 ? "; for " + t + " percent write " + t + "%" : "")
              + ")");
      return null;
    }
    return v;
  }

  private String identifier(Node node, String path) {
    String text = scalar(node, path, "a column name");
    if (text == null) {
      return null;
    }
    try {
      return Identifiers.fold(text.strip());
    } catch (IllegalArgumentException e) {
      problem(node, path, e.getMessage());
      return null;
    }
  }

  private List<String> identifierList(Node node, String path) {
    if (!(node instanceof SequenceNode seq)) {
      problem(node, path, "expected a list of column names like [name], found " + describe(node));
      return null;
    }
    if (seq.getValue().isEmpty()) {
      problem(node, path, "needs at least one column");
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    List<Node> items = seq.getValue();
    for (int i = 0; i < items.size(); i++) {
      String c = identifier(items.get(i), path + "[" + i + "]");
      if (c == null) {
        ok = false;
      } else if (out.contains(c)) {
        problem(items.get(i), path + "[" + i + "]", "column '" + c + "' is listed twice");
        ok = false;
      } else {
        out.add(c);
      }
    }
    return ok ? out : null;
  }

  private Path path(Node node, String path) {
    if (node == null) {
      return null;
    }
    String text = scalar(node, path, "a file path");
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      problem(node, path, "the file path is empty");
      return null;
    }
    try {
      Path p = Path.of(text);
      return p.isAbsolute() || baseDirectory.isEmpty() ? p : baseDirectory.get().resolve(p);
    } catch (RuntimeException e) {
      problem(node, path, "'" + text + "' is not a valid path: " + e.getMessage());
      return null;
    }
  }

  /** An enum constant written in lower case ({@code key_column} for {@code KEY_COLUMN}). */
  private <E extends Enum<E>> E choice(Node node, String path, String what, Class<E> type) {
    String text = scalar(node, path, "one of " + orList(names(type)));
    if (text == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(text.strip())) {
        return e;
      }
    }
    problem(node, path, "unknown " + what + " '" + text + "' (expected " + orList(names(type)) + ")");
    return null;
  }

  private static <E extends Enum<E>> List<String> names(Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private Fields mapping(Node node, String path, String expected) {
    if (!(node instanceof MappingNode m)) {
      problem(node, path, "expected " + expected + ", found " + describe(node));
      return null;
    }
    return new Fields(this, m, path);
  }

  // ---------------------------------------------------------------- problems

  void problem(Node node, String path, String message) {
    Optional<Mark> mark = node == null ? Optional.empty() : node.getStartMark();
    int line = mark.map(m -> m.getLine() + 1).orElse(0);
    int column = mark.map(m -> m.getColumn() + 1).orElse(0);
    problems.add(new ConfigProblem(source, line, column, path, message));
  }

  void problemAt(int line, int column, String path, String message) {
    problems.add(new ConfigProblem(source, line, column, path, message));
  }

  /** The value under {@code key} in a mapping node, or the node itself when there is none. */
  private static Node valueOf(Node mapping, String key) {
    if (mapping instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          return t.getValueNode();
        }
      }
    }
    return mapping;
  }

  static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (isNull(node)) {
      return "nothing";
    }
    String v = ((ScalarNode) node).getValue();
    return "'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "'";
  }

  private static String unknownBackend(String name, Set<String> names) {
    String hint = Suggestions.hint(name, names);
    return "unknown backend '"
        + name
        + "' (backends: "
        + String.join(", ", names)
        + (hint.isEmpty() ? "" : "; " + hint)
        + ")";
  }

  static String orList(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + " or "
        + items.get(items.size() - 1);
  }

  private static String quotedList(List<String> items) {
    List<String> q = new ArrayList<>();
    for (String s : items) {
      q.add("'" + s + "'");
    }
    return String.join(", ", q);
  }

  /**
   * A mapping's entries by key, read once: duplicate and non-scalar keys are reported when it is
   * built, unknown keys by {@link #rejectUnknown}.
   */
  static final class Fields {
    final ConfigReader reader;
    final Node node;
    final String path;
    final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    final Set<String> taken = new HashSet<>();

    private Fields(ConfigReader reader, Node node, String path) {
      this.reader = reader;
      this.node = node;
      this.path = path;
    }

    static Fields empty(ConfigReader reader) {
      return new Fields(reader, (Node) null, "");
    }

    Fields(ConfigReader reader, MappingNode mapping, String path) {
      this(reader, (Node) mapping, path);
      for (NodeTuple t : mapping.getValue()) {
        Node k = t.getKeyNode();
        if (!(k instanceof ScalarNode ks) || isNull(k)) {
          reader.problem(k, path, "keys must be names, found " + describe(k));
          continue;
        }
        String name = ks.getValue();
        NodeTuple first = entries.putIfAbsent(name, t);
        if (first != null) {
          reader.problem(
              k,
              child(name),
              "duplicate key '" + name + "' (first at line " + line(first.getKeyNode()) + ")");
        }
      }
    }

    String child(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    /** The value under {@code key}; null when absent or written as nothing ({@code key:}). */
    Node get(String key) {
      taken.add(key);
      NodeTuple t = entries.get(key);
      return t == null || isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    /** The value under {@code key}, or null with a problem saying what belongs there. */
    Node require(String key, String what) {
      taken.add(key);
      NodeTuple t = entries.get(key);
      if (t == null) {
        missing(key, what);
        return null;
      }
      if (isNull(t.getValueNode())) {
        reader.problem(t.getKeyNode(), child(key), "needs a value: " + what);
        return null;
      }
      return t.getValueNode();
    }

    void missing(String key, String what) {
      String message = "missing required key '" + key + "': " + what;
      if (node == null) {
        reader.problemAt(1, 1, path, message);
      } else {
        reader.problem(node, path, message);
      }
    }

    void rejectUnknown(List<String> allowed) {
      rejectUnknown(allowed, key -> null);
    }

    /** Reports every key not in {@code allowed}; {@code explain} may say why instead of a guess. */
    void rejectUnknown(List<String> allowed, java.util.function.Function<String, String> explain) {
      for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
        String key = e.getKey();
        if (allowed.contains(key)) {
          continue;
        }
        String why = explain.apply(key);
        String message;
        if (why != null) {
          message = "unknown key '" + key + "': " + why;
        } else if (key.equals("<<")) {
          message = "unknown key '<<' (YAML merge keys are not supported; repeat the settings)";
        } else {
          String hint = Suggestions.hint(key, allowed);
          message =
              "unknown key '"
                  + key
                  + "' ("
                  + (hint.isEmpty() ? "expected " + orList(allowed) : hint)
                  + ")";
        }
        reader.problem(e.getValue().getKeyNode(), child(key), message);
      }
    }
  }
}
