package io.turnout.config.load;

import static io.turnout.config.load.NodeReader.describe;
import static io.turnout.config.load.NodeReader.isNull;
import static io.turnout.config.load.NodeReader.line;
import static io.turnout.config.load.NodeReader.orList;

import io.turnout.config.validate.Suggestions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * A mapping's entries by key, read once: duplicate and non-scalar keys are reported when it is
 * built, unknown keys by {@link #rejectUnknown}.
 */
final class Fields {
  final NodeReader reader;
  final Node node;
  final String path;
  final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  final Set<String> taken = new HashSet<>();

  private Fields(NodeReader reader, Node node, String path) {
    this.reader = reader;
    this.node = node;
    this.path = path;
  }

  static Fields empty(NodeReader reader) {
    return new Fields(reader, (Node) null, "");
  }

  Fields(NodeReader reader, MappingNode mapping, String path) {
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
  void rejectUnknown(List<String> allowed, Function<String, String> explain) {
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
