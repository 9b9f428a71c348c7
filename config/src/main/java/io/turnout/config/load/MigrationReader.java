package io.turnout.config.load;

import static io.turnout.config.load.NodeReader.describe;
import static io.turnout.config.load.NodeReader.isNull;
import static io.turnout.config.load.NodeReader.line;
import static io.turnout.config.load.NodeReader.orList;
import static io.turnout.config.load.NodeReader.quotedList;
import static io.turnout.config.load.NodeReader.unknownBackend;
import static io.turnout.config.load.NodeReader.valueOf;

import io.turnout.config.Units;
import io.turnout.config.plan.BackfillPolicy;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.plan.VerifyPolicy;
import io.turnout.config.validate.ExpressionAnalysis;
import io.turnout.config.validate.Suggestions;
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
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads {@code migrations:}: each migration on its own (kinds, columns, expressions, policies),
 * then the checks across migrations (duplicate ids, unknown backends, one migration per column).
 * Whatever can be read of a migration with problems still takes part in the checks across
 * migrations, so one pass reports everything.
 */
final class MigrationReader {
  static final List<String> MIGRATION_KEYS =
      List.of(
          "id",
          "kind",
          "table",
          "backend",
          "reads",
          "shadow",
          "on_unanalysable",
          "contract",
          "verify",
          "backfill");
  static final List<String> RENAME_KEYS = List.of("from", "to");
  static final List<String> TRANSFORM_KEYS = List.of("old", "new", "forward", "backward");
  static final List<String> READS_KEYS = List.of("sticky", "key_column", "toggle");
  static final List<String> SHADOW_KEYS = List.of("sample", "max_mismatch_rate");
  static final List<String> UNANALYSABLE_KEYS = List.of("reads", "writes");

  static final List<String> KINDS = List.of(RenameColumn.KIND, TransformColumn.KIND);

  private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private final NodeReader nodes;

  MigrationReader(NodeReader nodes) {
    this.nodes = nodes;
  }

  /**
   * What was read of one migration, even when it has problems, so that the checks across migrations
   * (duplicate ids, unknown backends, shared columns) still run on the rest.
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

  void readMigrations(
      Node node, Set<String> backendNames, String defaultBackend, List<Migration> out) {
    if (!(node instanceof SequenceNode seq)) {
      nodes.problem(
          node, "migrations", "expected a list of migrations (- id: …), found " + describe(node));
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
        nodes.problem(
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
          nodes.problem(
              r.backendNode, r.path + ".backend", unknownBackend(r.backend, backendNames));
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
          nodes.problem(
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
          r.id(),
          backend,
          r.table(),
          r.from(),
          r.to(),
          r.reads(),
          r.shadow(),
          r.onUnanalysable(),
          r.contract(),
          r.verify(),
          r.backfill());
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
        t.onUnanalysable(),
        t.contract(),
        t.verify(),
        t.backfill());
  }

  /** Reads one migration; {@code migration} is set only when it has no problems of its own. */
  private Read readMigration(Node node, String path) {
    Read r = new Read(path);
    Fields f = nodes.mapping(node, path, "a migration (id:, kind:, table: …)");
    if (f == null) {
      return r;
    }
    Node idNode = f.require("id", "a unique name, e.g. rename-email");
    String id = null;
    if (idNode != null) {
      id = nodes.scalar(idNode, path + ".id", "a migration id");
      if (id != null && !MIGRATION_ID.matcher(id).matches()) {
        nodes.problem(
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
      String k = nodes.scalar(kindNode, path + ".kind", "a kind");
      if (k != null && KINDS.contains(k)) {
        kind = k;
      } else if (k != null) {
        nodes.problem(
            kindNode, path + ".kind", "unknown kind '" + k + "' (expected " + orList(KINDS) + ")");
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
      String t = nodes.scalar(tableNode, path + ".table", "a table name");
      if (t != null) {
        try {
          table = TableName.parse(t.strip());
        } catch (IllegalArgumentException e) {
          nodes.problem(tableNode, path + ".table", e.getMessage());
        }
      }
    }
    r.table = table;
    r.tableNode = tableNode;

    Node backendNode = f.get("backend");
    if (backendNode != null) {
      r.backend = nodes.scalar(backendNode, path + ".backend", "a backend name");
      r.backendNode = backendNode;
    }

    ReadPolicy reads = readReads(f.get("reads"), path + ".reads");
    ShadowPolicy shadow = readShadow(f.get("shadow"), path + ".shadow");
    UnanalysablePolicy unanalysable =
        readUnanalysable(f.get("on_unanalysable"), path + ".on_unanalysable");
    ContractPolicy contract = readContract(f.get("contract"), path + ".contract");
    VerifyPolicy verify = readVerify(f.get("verify"), path + ".verify");
    BackfillPolicy backfill = readBackfill(f.get("backfill"), path + ".backfill");

    Migration m = null;
    if (kind != null && kind.equals(RenameColumn.KIND)) {
      Node fromNode = f.require("from", "the column's current name");
      Node toNode = f.require("to", "the column's new name");
      String from = fromNode == null ? null : nodes.identifier(fromNode, path + ".from");
      String to = toNode == null ? null : nodes.identifier(toNode, path + ".to");
      if (from != null) {
        r.columns.add(from);
      }
      if (from != null && to != null && from.equals(to)) {
        nodes.problem(
            toNode,
            path + ".to",
            "'" + to + "' is the same column as from; a rename needs a new name");
        to = null;
      }
      if (to != null) {
        r.columns.add(to);
      }
      if (id != null
          && table != null
          && from != null
          && to != null
          && reads != null
          && shadow != null
          && unanalysable != null
          && contract != null
          && verify != null
          && backfill != null) {
        m =
            new RenameColumn(
                id,
                r.backend,
                table,
                from,
                to,
                reads,
                shadow,
                unanalysable,
                contract,
                verify,
                backfill);
      }
    } else if (kind != null) {
      m = readTransform(f, r, reads, shadow, unanalysable, contract, verify, backfill);
    }
    if (reads != null
        && reads.keyColumn().isPresent()
        && r.columns.contains(reads.keyColumn().get())) {
      nodes.problem(
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
      Fields f,
      Read r,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy unanalysable,
      ContractPolicy contract,
      VerifyPolicy verify,
      BackfillPolicy backfill) {
    String path = r.path;
    Node oldNode = f.require("old", "the columns being replaced, e.g. [name]");
    Node newNode = f.require("new", "the columns that replace them, e.g. [first_name, last_name]");
    List<String> oldColumns = oldNode == null ? null : nodes.identifierList(oldNode, path + ".old");
    List<String> newColumns = newNode == null ? null : nodes.identifierList(newNode, path + ".new");
    if (oldColumns != null) {
      r.columns.addAll(oldColumns);
    }
    if (oldColumns != null && newColumns != null) {
      List<Node> newItems = ((SequenceNode) newNode).getValue();
      for (int i = 0; i < newColumns.size(); i++) {
        if (oldColumns.contains(newColumns.get(i))) {
          nodes.problem(
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
    Node forwardNode =
        f.require("forward", "an expression over the old columns for each new column");
    Node backwardNode =
        f.require("backward", "an expression over the new columns for each old column");
    Map<String, String> forward =
        forwardNode == null
            ? null
            : expressions(
                forwardNode, path + ".forward", "new", newColumns, "old", oldColumns, analysed);
    Map<String, String> backward =
        backwardNode == null
            ? null
            : expressions(
                backwardNode, path + ".backward", "old", oldColumns, "new", newColumns, analysed);
    if (r.id == null
        || r.table == null
        || oldColumns == null
        || newColumns == null
        || forward == null
        || backward == null
        || reads == null
        || shadow == null
        || unanalysable == null
        || contract == null
        || verify == null
        || backfill == null) {
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
        unanalysable,
        contract,
        verify,
        backfill);
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
    Fields f =
        nodes.mapping(node, path, "a mapping of " + targetKind + " column to SQL expression");
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
        nodes.problem(keyNode, path + "." + e.getKey(), ex.getMessage());
        ok = false;
        continue;
      }
      String itemPath = path + "." + column;
      if (byColumn.containsKey(column)) {
        nodes.problem(keyNode, itemPath, "column '" + column + "' is given twice");
        ok = false;
        continue;
      }
      byColumn.put(column, e.getValue());
      if (targets != null && !targets.contains(column)) {
        String hint = Suggestions.hint(column, targets);
        nodes.problem(
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
        nodes.problem(keyNode, itemPath, "needs a SQL expression");
        ok = false;
        continue;
      }
      String expression = nodes.scalar(valueNode, itemPath, "a SQL expression in quotes");
      if (expression == null) {
        ok = false;
        continue;
      }
      List<String> wrong =
          ExpressionAnalysis.of(expression, table)
              .problems(
                  sources == null ? List.of() : sources,
                  sourceKind,
                  targets == null ? List.of() : targets);
      for (String message : wrong) {
        // Without a valid list of source columns, only syntax and refusals are meaningful.
        if (sources != null || !message.startsWith("uses column")) {
          nodes.problem(valueNode, itemPath, message);
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
        nodes.problem(
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
    Fields f = nodes.mapping(node, path, "a mapping like { sticky: session }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(READS_KEYS);
    ReadPolicy.Stickiness sticky = ReadPolicy.Stickiness.SESSION;
    Node stickyNode = f.get("sticky");
    if (stickyNode != null) {
      sticky = nodes.choice(stickyNode, path + ".sticky", "sticky", ReadPolicy.Stickiness.class);
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
      String k = nodes.identifier(keyNode, path + ".key_column");
      if (k == null) {
        return null;
      }
      keyColumn = Optional.of(k);
    } else if (keyNode != null) {
      nodes.problem(
          keyNode,
          path + ".key_column",
          "only used with sticky: key_column (sticky is "
              + sticky.name().toLowerCase(Locale.ROOT)
              + ")");
      return null;
    }
    // The toggle only matters with flags.provider: unleash; without one the built-in rule
    // decides, so a plan can name toggles before it switches provider.
    Optional<String> toggle = Optional.empty();
    Node toggleNode = f.get("toggle");
    if (toggleNode != null) {
      String t = nodes.scalar(toggleNode, path + ".toggle", "an Unleash toggle name");
      if (t == null) {
        return null;
      }
      if (t.isBlank()) {
        nodes.problem(toggleNode, path + ".toggle", "the toggle name is empty");
        return null;
      }
      toggle = Optional.of(t.strip());
    }
    return new ReadPolicy(sticky, keyColumn, toggle);
  }

  private ShadowPolicy readShadow(Node node, String path) {
    if (node == null) {
      return ShadowPolicy.DEFAULT;
    }
    Fields f =
        nodes.mapping(node, path, "a mapping like { sample: 0.1, max_mismatch_rate: 0.001 }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(SHADOW_KEYS);
    Node s = f.get("sample");
    Node m = f.get("max_mismatch_rate");
    // Boxed on purpose: null means "reported", and a ternary would unbox it.
    Double sample = Double.valueOf(ShadowPolicy.DEFAULT.sample());
    if (s != null) {
      sample = nodes.fraction(s, path + ".sample");
    }
    Double rate = Double.valueOf(ShadowPolicy.DEFAULT.maxMismatchRate());
    if (m != null) {
      rate = nodes.fraction(m, path + ".max_mismatch_rate");
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
    Fields f = nodes.mapping(node, path, "a mapping like { reads: old_path, writes: reject }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(UNANALYSABLE_KEYS);
    UnanalysablePolicy.ReadAction reads = UnanalysablePolicy.DEFAULT.reads();
    UnanalysablePolicy.WriteAction writes = UnanalysablePolicy.DEFAULT.writes();
    Node r = f.get("reads");
    if (r != null) {
      reads = nodes.choice(r, path + ".reads", "reads", UnanalysablePolicy.ReadAction.class);
    }
    Node w = f.get("writes");
    if (w != null) {
      writes = nodes.choice(w, path + ".writes", "writes", UnanalysablePolicy.WriteAction.class);
    }
    if (reads == null || writes == null) {
      return null;
    }
    return new UnanalysablePolicy(reads, writes);
  }

  static final List<String> BACKFILL_KEYS =
      List.of(
          "batch_time",
          "max_rows_per_second",
          "max_active_connections",
          "replicas",
          "max_replica_lag",
          "max_replica_lag_bytes");

  private BackfillPolicy readBackfill(Node node, String path) {
    BackfillPolicy d = BackfillPolicy.DEFAULT;
    if (node == null) {
      return d;
    }
    Fields f =
        nodes.mapping(node, path, "a mapping like { batch_time: 50ms, max_rows_per_second: 5000 }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(BACKFILL_KEYS);
    boolean ok = true;
    Duration batchTime = d.batchTime();
    if (f.get("batch_time") != null) {
      batchTime = nodes.duration(f.get("batch_time"), path + ".batch_time", true);
      ok &= batchTime != null;
    }
    Long rate = d.maxRowsPerSecond();
    if (f.get("max_rows_per_second") != null) {
      rate =
          nodes.wholeNumber(
              f.get("max_rows_per_second"), path + ".max_rows_per_second", 0, Long.MAX_VALUE);
      ok &= rate != null;
    }
    Long active = (long) d.maxActiveConnections();
    if (f.get("max_active_connections") != null) {
      active =
          nodes.wholeNumber(
              f.get("max_active_connections"), path + ".max_active_connections", 0, 100_000);
      ok &= active != null;
    }
    List<String> replicas = d.replicas();
    if (f.get("replicas") != null) {
      replicas =
          nodes.stringList(
              f.get("replicas"), path + ".replicas", "standby names (their application_name)");
      ok &= replicas != null;
    }
    Duration lag = d.maxReplicaLag();
    if (f.get("max_replica_lag") != null) {
      lag = nodes.duration(f.get("max_replica_lag"), path + ".max_replica_lag", false);
      ok &= lag != null;
    }
    long lagBytes = d.maxReplicaLagBytes();
    Node bytesNode = f.get("max_replica_lag_bytes");
    if (bytesNode != null) {
      String text = nodes.scalar(bytesNode, path + ".max_replica_lag_bytes", "a size like 64MB");
      try {
        lagBytes = text == null ? -1 : Units.parseSize(text);
        if (text != null && lagBytes <= 0) {
          nodes.problem(bytesNode, path + ".max_replica_lag_bytes", "must be more than 0");
        }
      } catch (IllegalArgumentException e) {
        nodes.problem(bytesNode, path + ".max_replica_lag_bytes", e.getMessage());
        lagBytes = -1;
      }
      ok &= lagBytes > 0;
    }
    return ok
        ? new BackfillPolicy(batchTime, rate, active.intValue(), replicas, lag, lagBytes)
        : null;
  }

  private VerifyPolicy readVerify(Node node, String path) {
    // 0 turns the periodic verify off.
    return durationPolicy(node, path, "interval", "1h", VerifyPolicy.DEFAULT, VerifyPolicy::new);
  }

  private ContractPolicy readContract(Node node, String path) {
    // 0 is allowed: an operator who has checked usage by other means may contract at once.
    return durationPolicy(node, path, "soak", "24h", ContractPolicy.DEFAULT, ContractPolicy::new);
  }

  /**
   * A policy that is a mapping with one duration, zero allowed ({@code { soak: 24h }}): {@code
   * absent} when the mapping or the key is, null after a problem (reported).
   */
  private <T> T durationPolicy(
      Node node, String path, String key, String example, T absent, Function<Duration, T> of) {
    if (node == null) {
      return absent;
    }
    Fields f = nodes.mapping(node, path, "a mapping like { " + key + ": " + example + " }");
    if (f == null) {
      return null;
    }
    f.rejectUnknown(List.of(key));
    Node valueNode = f.get(key);
    if (valueNode == null) {
      return absent;
    }
    Duration d = nodes.duration(valueNode, path + "." + key, true);
    return d == null ? null : of.apply(d);
  }
}
