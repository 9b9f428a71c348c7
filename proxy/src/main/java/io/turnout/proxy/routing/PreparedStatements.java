package io.turnout.proxy.routing;

import io.turnout.router.StickyKey;
import java.util.HashMap;
import java.util.Map;

/**
 * One session's named statements that may name a managed table: the client's text and parameter
 * types, the decision fingerprint ({@link io.turnout.router.Router#decisionFingerprint}) the
 * backend's statement was prepared under, and for a routed read the backend name of its new-schema
 * variant. A Bind of a statement prepared under other phases than now is re-prepared first; a Bind
 * of a routed read is pointed at the variant its session's path chooses.
 *
 * <p>Used on the session's event loop only. Bounded in count ({@link #MAX}) and in bytes of text
 * ({@link #MAX_CHARS}): past either, a Parse of another such statement is refused rather than left
 * unfollowed (it would then skip dual-write after the next phase change).
 */
public final class PreparedStatements {
  public static final int MAX = 1024;
  public static final long MAX_CHARS = 8L << 20;

  /** One named statement as the client prepared it and as Turnout prepared it on the backend. */
  public static final class Statement {
    private final String name;
    private final String sql;
    private final byte[] types;

    /** What the backend's statements were prepared under; null when they are not prepared. */
    private String fingerprint;

    private String variant;
    private String migrationId;
    private StickyKey key;

    Statement(String name, String sql, byte[] types) {
      this.name = name;
      this.sql = sql;
      this.types = types;
    }

    public String name() {
      return name;
    }

    public String sql() {
      return sql;
    }

    /** The parameter types as on the wire (int16 count, int32 OIDs). */
    public byte[] types() {
      return types;
    }

    /** True when the backend holds this statement as decided under {@code current}. */
    public boolean preparedUnder(String current) {
      return current.equals(fingerprint);
    }

    /** The backend name of the new-schema variant of a routed read, or null. */
    public String variant() {
      return variant;
    }

    /** The migration whose read path chooses between the statement and its variant. */
    public String migrationId() {
      return migrationId;
    }

    /** Where an execution's sticky key is, or null for the session's. */
    public StickyKey key() {
      return key;
    }

    /**
     * Prepared on the backend under {@code decidedUnder}, as {@code planned} says (null: as the
     * client wrote it), with {@code variantName} for a routed read's new variant (or null).
     */
    public void prepared(String decidedUnder, String variantName, PlannedStatement planned) {
      this.fingerprint = decidedUnder;
      this.variant = variantName;
      this.migrationId = planned == null ? null : planned.migrationId();
      this.key = planned == null ? null : planned.key();
    }

    /** A Parse of it (or of its variant) failed or was skipped: prepare again at the next Bind. */
    public void notPrepared() {
      this.fingerprint = null;
    }
  }

  private final Map<String, Statement> byName = new HashMap<>();

  /**
   * Named statements that change a setting the router follows (pgJDBC prepares a Statement's {@code
   * SET search_path} once it is repeated): applied at each of their Binds. At most {@link
   * #MAX_SETTINGS}; past that, a new one is not followed.
   */
  private final Map<String, SessionSetting> settings = new HashMap<>();

  public static final int MAX_SETTINGS = 64;

  private long chars;
  private int variants;

  /**
   * A client's Parse of {@code name}: followed from now on, replacing (and returning through {@code
   * replaced}) what had that name. Null when the bounds are reached: the caller refuses it.
   */
  public Statement parsed(String name, String sql, byte[] types) {
    Statement old = byName.get(name);
    long after = chars + sql.length() - (old == null ? 0 : old.sql.length());
    if ((old == null && byName.size() >= MAX) || after > MAX_CHARS) {
      return null;
    }
    Statement s = new Statement(name, sql, types);
    byName.put(name, s);
    chars = after;
    return s;
  }

  /** The statement named {@code name}, or null when it is not followed. */
  public Statement get(String name) {
    return byName.get(name);
  }

  /** Puts back {@code previous} (null: nothing) under its name after a failed client Parse. */
  public void restore(String name, Statement failed, Statement previous) {
    if (byName.get(name) != failed) {
      return; // parsed again since
    }
    remove(name);
    if (previous != null) {
      byName.put(name, previous);
      chars += previous.sql.length();
    }
  }

  /** A named statement that changes {@code setting} when it runs (null: one that does not). */
  public void setting(String name, SessionSetting setting) {
    if (setting == null) {
      settings.remove(name);
    } else if (settings.size() < MAX_SETTINGS || settings.containsKey(name)) {
      settings.put(name, setting);
    }
  }

  /** What binding {@code name} changes, or null. */
  public SessionSetting settingOf(String name) {
    return settings.get(name);
  }

  /** Stops following {@code name} (a Close, a statement that names no managed table). */
  public Statement remove(String name) {
    Statement s = byName.remove(name);
    if (s != null) {
      chars -= s.sql.length();
    }
    return s;
  }

  /** Forgets every statement (DEALLOCATE ALL, DISCARD ALL: the backend dropped them all). */
  public void clear() {
    byName.clear();
    settings.clear();
    chars = 0;
  }

  /** True when no statement is followed: Binds and Closes need not be read. */
  public boolean isEmpty() {
    return byName.isEmpty() && settings.isEmpty();
  }

  /** A backend statement name for a new variant, unique in this session. */
  public String newVariantName() {
    return "turnout_variant_" + ++variants;
  }
}
