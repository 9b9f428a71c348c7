package io.turnout.testkit.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL corpus (statements.sql, schema.sql, README.md): real-world statements for parser coverage
 * and differential tests. A copy ships in this module's resources ({@value #RESOURCE_DIR}), so a
 * clone of the repository needs nothing beside it; {@code TURNOUT_CORPUS_DIR} (or system property
 * {@code turnout.corpus.dir}) points at another directory of the same shape instead. Loaded once
 * per JVM.
 */
public final class Corpus {

  public static final String DIR_ENV = "TURNOUT_CORPUS_DIR";
  public static final String DIR_PROPERTY = "turnout.corpus.dir";
  static final String RESOURCE_DIR = "/io/turnout/testkit/corpus/";

  private static volatile Loaded loaded;

  private Corpus() {}

  /** All statements in file order. */
  public static List<CorpusStatement> statements() {
    return load().statements;
  }

  /** The statement with this id. */
  public static CorpusStatement statement(String id) {
    CorpusStatement s = load().byId.get(id);
    if (s == null) {
      throw new IllegalArgumentException("no corpus statement '" + id + "' in " + load().origin);
    }
    return s;
  }

  /**
   * schema.sql: schema and deterministic seed data; drops and recreates schemas public and billing.
   */
  public static String schemaSql() {
    return load().schemaSql;
  }

  /** Parses corpus text (for other corpora and tests); errors name the file and line. */
  public static List<CorpusStatement> parse(String text, String fileName) {
    return CorpusParser.parse(text, fileName);
  }

  private static Loaded load() {
    Loaded l = loaded;
    if (l == null) {
      synchronized (Corpus.class) {
        l = loaded;
        if (l == null) {
          l = configuredDirectory().map(Corpus::fromDirectory).orElseGet(Corpus::fromResources);
          loaded = l;
        }
      }
    }
    return l;
  }

  static Optional<Path> configuredDirectory() {
    String configured =
        Optional.ofNullable(System.getProperty(DIR_PROPERTY)).orElse(System.getenv(DIR_ENV));
    if (configured == null || configured.isBlank()) {
      return Optional.empty();
    }
    Path p = Path.of(configured);
    if (!Files.isRegularFile(p.resolve("statements.sql"))) {
      throw new IllegalStateException(
          DIR_ENV + "/" + DIR_PROPERTY + " = " + configured + " has no statements.sql");
    }
    return Optional.of(p);
  }

  private static Loaded fromDirectory(Path dir) {
    try {
      return new Loaded(
          dir.toString(),
          Files.readString(dir.resolve("statements.sql"), StandardCharsets.UTF_8),
          Files.readString(dir.resolve("schema.sql"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the corpus in " + dir, e);
    }
  }

  private static Loaded fromResources() {
    return new Loaded(
        "classpath:" + RESOURCE_DIR, resource("statements.sql"), resource("schema.sql"));
  }

  private static String resource(String name) {
    try (InputStream in = Corpus.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "the corpus resource " + RESOURCE_DIR + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the corpus resource " + name, e);
    }
  }

  private static final class Loaded {
    final String origin;
    final List<CorpusStatement> statements;
    final Map<String, CorpusStatement> byId = new LinkedHashMap<>();
    final String schemaSql;

    Loaded(String origin, String statementsSql, String schemaSql) {
      this.origin = origin;
      this.statements = List.copyOf(CorpusParser.parse(statementsSql, origin + "statements.sql"));
      this.schemaSql = schemaSql;
      for (CorpusStatement s : statements) {
        byId.put(s.id(), s);
      }
    }
  }
}
