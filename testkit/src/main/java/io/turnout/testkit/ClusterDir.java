package io.turnout.testkit;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory {@code turnout-pg-*} under {@code java.io.tmpdir} holding one cluster: the data
 * directory, the unix socket, logs, and an owner file naming the JVM that made it, so that a later
 * JVM can stop and remove clusters whose JVM died without running its shutdown hook.
 */
final class ClusterDir {

  static final String PREFIX = "turnout-pg-";
  static final String OWNER_FILE = "owner.properties";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDir.class);

  /** A directory without an owner file younger than this may still be being set up. */
  private static final Duration SETUP_GRACE = Duration.ofMinutes(2);

  final Path root;

  private ClusterDir(Path root) {
    this.root = root;
  }

  static Path tmpdir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /**
   * Creates the directory and its owner file; {@code binDir} and {@code runAs} let a sweep stop the
   * server.
   */
  static ClusterDir create(String provider, String name, Path binDir, RunAs runAs)
      throws IOException {
    Path root = Files.createTempDirectory(tmpdir(), PREFIX + name + "-");
    // 755: clients as other users may reach the unix socket; the data dir itself stays 700.
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Properties p = new Properties();
    ProcessHandle self = ProcessHandle.current();
    p.setProperty("pid", Long.toString(self.pid()));
    self.info()
        .startInstant()
        .ifPresent(t -> p.setProperty("started", Long.toString(t.toEpochMilli())));
    p.setProperty("provider", provider);
    if (binDir != null) {
      p.setProperty("bindir", binDir.toString());
    }
    p.setProperty("runas", runAs.name());
    try (Writer w = Files.newBufferedWriter(root.resolve(OWNER_FILE), StandardCharsets.UTF_8)) {
      p.store(w, "Turnout testkit cluster; removed by its JVM's shutdown hook or by a later sweep");
    }
    return new ClusterDir(root);
  }

  Path data() {
    return root.resolve("data");
  }

  Path serverLog() {
    return root.resolve("postgres.log");
  }

  Path commandLog() {
    return root.resolve("commands.log");
  }

  boolean exists() {
    return Files.isDirectory(root);
  }

  /** Deletes the whole tree; missing files (a concurrent sweep) are fine. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            if (exc != null && !(exc instanceof NoSuchFileException)) {
              throw exc;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Stops and removes every {@code turnout-pg-*} cluster under {@code parent} whose owning JVM is
   * gone. Returns how many were removed.
   */
  static int sweepStale(Path parent) {
    int removed = 0;
    if (!Files.isDirectory(parent)) {
      return 0;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir) && isStale(dir)) {
          try {
            stopPostmaster(dir);
            delete(dir);
            removed++;
            LOG.info("Removed stale test cluster {} (its JVM is gone)", dir);
          } catch (IOException | RuntimeException e) {
            LOG.warn("Could not remove stale test cluster {}: {}", dir, e.toString());
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("Could not sweep {} for stale test clusters: {}", parent, e.toString());
    }
    return removed;
  }

  private static boolean isStale(Path dir) {
    Optional<Properties> owner = readOwner(dir);
    if (owner.isEmpty()) {
      try {
        Instant made = Files.getLastModifiedTime(dir).toInstant();
        return made.isBefore(Instant.now().minus(SETUP_GRACE));
      } catch (IOException e) {
        return false;
      }
    }
    long pid;
    try {
      pid = Long.parseLong(owner.get().getProperty("pid", ""));
    } catch (NumberFormatException e) {
      return true;
    }
    String started = owner.get().getProperty("started");
    Optional<ProcessHandle> jvm = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (jvm.isEmpty()) {
      return true;
    }
    // A live process with that pid but another start time is a reused pid, not our JVM.
    Optional<Instant> start = jvm.get().info().startInstant();
    return started != null
        && start.isPresent()
        && start.get().toEpochMilli() != Long.parseLong(started);
  }

  private static Optional<Properties> readOwner(Path dir) {
    Path f = dir.resolve(OWNER_FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
      return Optional.of(p);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** pg_ctl stop -m immediate if we know how, else kill the postmaster (checked to be one). */
  static void stopPostmaster(Path dir) throws IOException {
    Path data = dir.resolve("data");
    Optional<ProcessHandle> postmaster = postmaster(data);
    if (postmaster.isEmpty()) {
      return;
    }
    Properties owner = readOwner(dir).orElseGet(Properties::new);
    String bindir = owner.getProperty("bindir");
    if (bindir != null && Files.isExecutable(Path.of(bindir, "pg_ctl"))) {
      RunAs runAs = RunAs.valueOfOrCurrent(owner.getProperty("runas"));
      try {
        Exec.run(
            runAs.wrap(
                List.of(
                    Path.of(bindir, "pg_ctl").toString(),
                    "-D",
                    data.toString(),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "20",
                    "stop")),
            dir.resolve("commands.log"),
            Duration.ofSeconds(30));
      } catch (IOException e) {
        LOG.debug("pg_ctl stop failed for {}: {}", dir, e.toString());
      }
    }
    if (postmaster.get().isAlive()) {
      postmaster.get().destroyForcibly();
      try {
        postmaster.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug(
            "postmaster {} of {} did not exit yet: {}", postmaster.get().pid(), dir, e.toString());
      }
    }
  }

  /** The live postmaster named by data/postmaster.pid, if that pid is still a postgres process. */
  static Optional<ProcessHandle> postmaster(Path data) {
    Path pidFile = data.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(
              ph ->
                  ph.info()
                      .command()
                      .map(c -> c.endsWith("postgres") || c.endsWith("postmaster"))
                      .orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
