package io.turnout.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds PostgreSQL binaries: {@code PG_BIN}, else the highest {@code /usr/lib/postgresql/N/bin},
 * else the directory {@code initdb} on PATH really lives in (Debian links it from elsewhere).
 */
final class PgBinaries {

  static final String PG_BIN_ENV = "PG_BIN";
  static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

  private PgBinaries() {}

  /** A directory with initdb, pg_ctl and postgres, or why there is none. */
  static Lookup server(Map<String, String> env) {
    return find(env, "initdb", "pg_ctl", "postgres");
  }

  /** A directory with psql (and usually pgbench). */
  static Optional<Path> clientTools(Map<String, String> env) {
    Lookup l = find(env, "psql");
    return Optional.ofNullable(l.dir());
  }

  record Lookup(Path dir, String how) {}

  static Lookup find(Map<String, String> env, String... tools) {
    String pgBin = env.get(PG_BIN_ENV);
    if (pgBin != null && !pgBin.isBlank()) {
      Path d = Path.of(pgBin);
      if (hasAll(d, tools)) {
        return new Lookup(d, "PG_BIN=" + pgBin);
      }
      // An explicit PG_BIN that lacks the tools is a mistake worth stopping for.
      return new Lookup(null, "PG_BIN=" + pgBin + " lacks " + String.join("/", tools));
    }
    for (Path d : debianBinDirs()) {
      if (hasAll(d, tools)) {
        return new Lookup(d, "highest of " + DEBIAN_ROOT + "/*/bin");
      }
    }
    String path = env.getOrDefault("PATH", "");
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path exe = Path.of(entry, tools[0]);
      if (Files.isExecutable(exe)) {
        try {
          Path real = exe.toRealPath().getParent();
          if (hasAll(real, tools)) {
            return new Lookup(real, tools[0] + " on PATH");
          }
        } catch (IOException e) {
          // broken link: keep looking
        }
      }
    }
    return new Lookup(
        null,
        "no "
            + String.join("/", tools)
            + ": PG_BIN not set, none in "
            + DEBIAN_ROOT
            + "/*/bin, no "
            + tools[0]
            + " on PATH");
  }

  /** /usr/lib/postgresql/N/bin, highest version first. */
  static List<Path> debianBinDirs() {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return dirs;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(DEBIAN_ROOT)) {
      for (Path p : s) {
        if (p.getFileName().toString().matches("\\d+(\\.\\d+)?")) {
          dirs.add(p.resolve("bin"));
        }
      }
    } catch (IOException e) {
      return dirs;
    }
    dirs.sort(
        Comparator.comparingDouble(
                (Path p) -> Double.parseDouble(p.getParent().getFileName().toString()))
            .reversed());
    return dirs;
  }

  private static boolean hasAll(Path dir, String... tools) {
    for (String t : tools) {
      if (!Files.isExecutable(dir.resolve(t))) {
        return false;
      }
    }
    return true;
  }
}
