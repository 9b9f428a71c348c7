package io.turnout.config.load;

import io.turnout.config.TurnoutConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads {@code turnout.yaml} into a {@link TurnoutConfig}. Parsing uses snakeyaml-engine's node
 * API, so every problem carries the line and column of the node it is about; all problems of a file
 * are reported together, in file order. {@code ${VAR}} and {@code ${VAR:-default}} in values are
 * replaced from the environment given to the constructor. The plan's expressions are checked for
 * syntax and for the columns they read, but not against a database: see {@link
 * io.turnout.config.validate.PlanValidator} for that.
 *
 * <p>Stateless and thread-safe; loading reads the one file and nothing else.
 */
public final class ConfigLoader {
  private final Map<String, String> env;

  /** A loader that substitutes from the process environment. */
  public ConfigLoader() {
    this(System.getenv());
  }

  /** A loader that substitutes from {@code env} (tests, or a merged environment). */
  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
  }

  /**
   * Loads a plan file. Relative {@code tls} paths are resolved against the file's directory.
   * Problems are reported under the path as given, e.g. {@code conf/turnout.yaml:3:9: …}.
   */
  public TurnoutConfig load(Path file) throws ConfigException {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(new ConfigProblem(source, 0, 0, "", "no such file"));
    } catch (IOException e) {
      throw new ConfigException(
          new ConfigProblem(source, 0, 0, "", "cannot be read: " + e.getMessage()));
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(new ConfigProblem(source, 0, 0, "", "is not valid UTF-8"));
    }
    Path parent = file.toAbsolutePath().getParent();
    return load(text, source, Optional.ofNullable(parent));
  }

  /**
   * Loads plan file text; {@code sourceName} names it in problems. Relative {@code tls} paths are
   * kept relative (to the working directory).
   */
  public TurnoutConfig load(String yaml, String sourceName) throws ConfigException {
    return load(yaml, sourceName, Optional.empty());
  }

  private TurnoutConfig load(String yaml, String sourceName, Optional<Path> baseDirectory)
      throws ConfigException {
    Node root;
    try {
      LoadSettings settings = LoadSettings.builder().setLabel(sourceName).build();
      root = new Compose(settings).composeString(yaml).orElse(null);
    } catch (MarkedYamlEngineException e) {
      throw new ConfigException(syntaxProblem(sourceName, e));
    } catch (YamlEngineException e) {
      throw new ConfigException(
          new ConfigProblem(sourceName, 0, 0, "", "YAML error: " + e.getMessage()));
    }
    NodeReader nodes = new NodeReader(sourceName, env, baseDirectory);
    TurnoutConfig config = new ConfigReader(nodes).read(root);
    if (config == null) {
      List<ConfigProblem> problems = new ArrayList<>(nodes.problems());
      problems.sort(ConfigProblem.BY_POSITION);
      throw new ConfigException(problems);
    }
    return config;
  }

  /** A syntax error at the scanner's problem mark, with its context ("while scanning …"). */
  private static ConfigProblem syntaxProblem(String source, MarkedYamlEngineException e) {
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    int line = mark.map(m -> m.getLine() + 1).orElse(0);
    int column = mark.map(m -> m.getColumn() + 1).orElse(0);
    StringBuilder message = new StringBuilder("YAML syntax error: ");
    message.append(e.getProblem() == null ? "unreadable YAML" : e.getProblem().strip());
    if (e.getContext() != null && !e.getContext().isBlank()) {
      message.append(" (").append(e.getContext().strip());
      e.getContextMark()
          .filter(m -> m.getLine() + 1 != line)
          .ifPresent(m -> message.append(" started at line ").append(m.getLine() + 1));
      message.append(')');
    }
    return new ConfigProblem(source, line, column, "", message.toString());
  }
}
