package io.turnout.testkit.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shared SQL corpus (shared/corpus: statements.sql, schema.sql, README.md): real-world
 * statements for parser coverage and differential tests. Found through {@code TURNOUT_CORPUS_DIR}
 * (or system property {@code turnout.corpus.dir}), else by walking up from {@code user.dir} to the
 * repository root (the directory with the turnout-parent pom) and taking {@code ../shared/corpus}.
 * Loaded once per JVM.
 */
public final class Corpus {

  public static final String DIR_ENV = "TURNOUT_CORPUS_DIR";
  public static final String DIR_PROPERTY = "turnout.corpus.dir";

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
      throw new IllegalArgumentException("no corpus statement '" + id + "' in " + load().dir);
    }
    return s;
  }

  /**
   * schema.sql: schema and deterministic seed data; drops and recreates schemas public and billing.
   */
  public static String schemaSql() {
    return load().schemaSql;
  }

  public static Path directory() {
    return load().dir;
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
          l = new Loaded(locate());
          loaded = l;
        }
      }
    }
    return l;
  }

  static Path locate() {
    String configured =
        Optional.ofNullable(System.getProperty(DIR_PROPERTY)).orElse(System.getenv(DIR_ENV));
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      if (!Files.isRegularFile(p.resolve("statements.sql"))) {
        throw new IllegalStateException(
            DIR_ENV + "/" + DIR_PROPERTY + " = " + configured + " has no statements.sql");
      }
      return p;
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = start; d != null; d = d.getParent()) {
      if (isRepoRoot(d)) {
        Path corpus = d.resolveSibling("shared").resolve("corpus").normalize();
        if (Files.isRegularFile(corpus.resolve("statements.sql"))) {
          return corpus;
        }
        throw new IllegalStateException(
            "repository root "
                + d
                + " found, but no "
                + corpus
                + "/statements.sql; set "
                + DIR_ENV);
      }
    }
    throw new IllegalStateException(
        "cannot find the corpus: "
            + DIR_ENV
            + " not set and no turnout-parent pom.xml above "
            + start);
  }

  private static boolean isRepoRoot(Path d) {
    Path pom = d.resolve("pom.xml");
    if (!Files.isRegularFile(pom)) {
      return false;
    }
    try {
      return isParentPom(Files.readString(pom, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  /** The parent pom declares turnout-parent as its own artifactId and has no parent section. */
  static boolean isParentPom(String pom) {
    return pom.contains("<artifactId>turnout-parent</artifactId>") && !pom.contains("<parent>");
  }

  private static final class Loaded {
    final Path dir;
    final List<CorpusStatement> statements;
    final Map<String, CorpusStatement> byId = new LinkedHashMap<>();
    final String schemaSql;

    Loaded(Path dir) {
      this.dir = dir;
      try {
        Path file = dir.resolve("statements.sql");
        this.statements =
            List.copyOf(
                CorpusParser.parse(
                    Files.readString(file, StandardCharsets.UTF_8), file.toString()));
        this.schemaSql = Files.readString(dir.resolve("schema.sql"), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the corpus in " + dir, e);
      }
      for (CorpusStatement s : statements) {
        byId.put(s.id(), s);
      }
    }
  }
}
