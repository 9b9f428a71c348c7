package io.turnout.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which OS user runs initdb, pg_ctl and the postmaster. PostgreSQL refuses to run as root, and our
 * test JVMs run as root here and in CI, so a root JVM runs them as {@code postgres} through {@code
 * runuser}, or, where there is no such account, as {@code nobody} inside a user namespace ({@code
 * unshare -U}), where files owned by root appear to be owned by the server.
 */
enum RunAs {
  /** Not root: run the binaries directly. */
  CURRENT_USER,
  /** Root: {@code runuser -u postgres --}; cluster directories are chowned to postgres. */
  POSTGRES_USER,
  /** Root: {@code unshare -U --map-user=65534 --map-group=65534}; nothing to chown. */
  USER_NAMESPACE;

  static final String POSTGRES = "postgres";
  private static final List<String> UNSHARE =
      List.of("unshare", "-U", "--map-user=65534", "--map-group=65534", "--");

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  List<String> wrap(List<String> command) {
    List<String> c = new ArrayList<>();
    switch (this) {
      case POSTGRES_USER -> c.addAll(List.of("runuser", "-u", POSTGRES, "--"));
      case USER_NAMESPACE -> c.addAll(UNSHARE);
      case CURRENT_USER -> {}
    }
    c.addAll(command);
    return c;
  }

  /** Makes a directory tree usable by the server user. */
  void own(Path dir) throws IOException {
    if (this != POSTGRES_USER) {
      return;
    }
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = lookup.lookupPrincipalByName(POSTGRES);
    GroupPrincipal group;
    try {
      group = lookup.lookupPrincipalByGroupName(POSTGRES);
    } catch (UserPrincipalNotFoundException e) {
      group = null;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(user);
        if (group != null) {
          view.setGroup(group);
        }
      }
    }
  }

  String describe() {
    return switch (this) {
      case CURRENT_USER -> "as " + System.getProperty("user.name");
      case POSTGRES_USER -> "as 'postgres' via runuser (the JVM runs as root)";
      case USER_NAMESPACE ->
          "as 'nobody' in a user namespace via unshare -U (the JVM runs as root)";
    };
  }

  static boolean postgresAccountExists() {
    try {
      Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(POSTGRES);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static volatile Boolean userNamespaces;

  /** Whether {@code unshare -U} works here (seccomp or sysctl may forbid it); probed once. */
  static boolean userNamespacesWork() {
    Boolean b = userNamespaces;
    if (b == null) {
      List<String> probe = new ArrayList<>(UNSHARE);
      probe.add("true");
      b = Exec.probe(probe) == 0;
      userNamespaces = b;
    }
    return b;
  }

  /**
   * How the local provider runs the server: as ourselves, else as postgres, else in a user
   * namespace. Throws with the reason when a root JVM has none of those.
   */
  static RunAs forLocalCluster() {
    if (!isRoot()) {
      return CURRENT_USER;
    }
    if (postgresAccountExists()
        && Exec.probe(List.of("runuser", "-u", POSTGRES, "--", "true")) == 0) {
      return POSTGRES_USER;
    }
    if (userNamespacesWork()) {
      return USER_NAMESPACE;
    }
    throw new IllegalStateException(
        "the JVM runs as root, PostgreSQL refuses root, and neither "
            + "'runuser -u postgres' (no postgres account?) nor 'unshare -U' (user namespaces disabled?) works");
  }

  static RunAs valueOfOrCurrent(String name) {
    try {
      return name == null ? CURRENT_USER : valueOf(name);
    } catch (IllegalArgumentException e) {
      return CURRENT_USER;
    }
  }
}
