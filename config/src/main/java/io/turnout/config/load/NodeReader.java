package io.turnout.config.load;

import io.turnout.config.HostPort;
import io.turnout.config.Units;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.validate.Suggestions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reading of YAML nodes for the plan file, recording a {@link ConfigProblem} at the node's
 * line and column for every value that is wrong. Each reader method returns null after recording a
 * problem, so that its caller can go on and find the next problem too.
 */
final class NodeReader {
  private final String source;
  private final Map<String, String> env;
  private final Optional<Path> baseDirectory;
  private final List<ConfigProblem> problems = new ArrayList<>();

  NodeReader(String source, Map<String, String> env, Optional<Path> baseDirectory) {
    this.source = source;
    this.env = env;
    this.baseDirectory = baseDirectory;
  }

  List<ConfigProblem> problems() {
    return problems;
  }

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

  HostPort hostPort(Node node, String path) {
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

  Long wholeNumber(Node node, String path, long min, long max) {
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

  /**
   * {@code true} or {@code false}, in any case as YAML 1.2 writes them. YAML 1.1's {@code yes},
   * {@code on} and friends are refused rather than guessed: to the YAML 1.2 parser they are
   * strings, and a reader seeing {@code open_reads: no} should not have to know that.
   */
  Boolean bool(Node node, String path) {
    String text = scalar(node, path, "true or false");
    if (text == null) {
      return null;
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.valueOf(t);
    }
    problem(node, path, "expected true or false, found '" + text + "'");
    return null;
  }

  Duration duration(Node node, String path, boolean zeroAllowed) {
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
  Double fraction(Node node, String path) {
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
      problem(
          node,
          path,
          "expected a fraction like 0.1 or a percentage like 10%, found '" + text + "'");
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

  String identifier(Node node, String path) {
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

  /** A list of non-blank strings, each once ({@code what} says what they are, for errors). */
  List<String> stringList(Node node, String path, String what) {
    if (!(node instanceof SequenceNode seq)) {
      problem(node, path, "expected a list of " + what + ", found " + describe(node));
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    List<Node> items = seq.getValue();
    for (int i = 0; i < items.size(); i++) {
      String v = scalar(items.get(i), path + "[" + i + "]", "a name");
      if (v == null || v.isBlank()) {
        if (v != null) {
          problem(items.get(i), path + "[" + i + "]", "must not be blank");
        }
        ok = false;
      } else if (out.contains(v)) {
        problem(items.get(i), path + "[" + i + "]", "'" + v + "' is listed twice");
        ok = false;
      } else {
        out.add(v);
      }
    }
    return ok ? out : null;
  }

  List<String> identifierList(Node node, String path) {
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

  Path path(Node node, String path) {
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
  <E extends Enum<E>> E choice(Node node, String path, String what, Class<E> type) {
    String text = scalar(node, path, "one of " + orList(names(type)));
    if (text == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(text.strip())) {
        return e;
      }
    }
    problem(
        node, path, "unknown " + what + " '" + text + "' (expected " + orList(names(type)) + ")");
    return null;
  }

  static <E extends Enum<E>> List<String> names(Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  Fields mapping(Node node, String path, String expected) {
    if (!(node instanceof MappingNode m)) {
      problem(node, path, "expected " + expected + ", found " + describe(node));
      return null;
    }
    return new Fields(this, m, path);
  }

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
  static Node valueOf(Node mapping, String key) {
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

  static String unknownBackend(String name, Set<String> names) {
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

  static String quotedList(List<String> items) {
    List<String> q = new ArrayList<>();
    for (String s : items) {
      q.add("'" + s + "'");
    }
    return String.join(", ", q);
  }
}
