package io.turnout.admin.ddl;

import io.turnout.config.plan.Identifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the objects Turnout creates. They are derived only from the plan and the catalog, so
 * every run (and every Turnout instance) computes the same name and finds what an earlier run
 * created. PostgreSQL truncates names to 63 bytes silently, which could make two long names
 * collide; a name that does not fit is cut and ends in a hash of the whole name instead.
 */
final class DdlNames {
  private static final int HASH_CHARS = 8;

  private DdlNames() {}

  /** {@code <table>_<column>_not_null}: the CHECK that stands for a copied NOT NULL. */
  static String notNullConstraint(String table, String column) {
    return fit(table + "_" + column + "_not_null");
  }

  /**
   * The copy of {@code oldIndex} on {@code newColumn}: the old column's name, where it appears in
   * the index name as a whole {@code _}-separated part, is replaced by the new column's ({@code
   * users_email_key} → {@code users_email_address_key}); otherwise the new column is appended
   * ({@code login_idx} → {@code login_idx_email_address}).
   */
  static String indexCopy(String oldIndex, String oldColumn, String newColumn) {
    String replaced = replaceWholeParts(oldIndex, oldColumn, newColumn);
    return fit(replaced.equals(oldIndex) ? oldIndex + "_" + newColumn : replaced);
  }

  /** The name itself when it fits in 63 bytes, else a prefix of it, {@code _} and a hash. */
  static String fit(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= Identifiers.MAX_BYTES) {
      return name;
    }
    String hash = HexFormat.of().formatHex(sha256(bytes)).substring(0, HASH_CHARS);
    return utf8Prefix(name, Identifiers.MAX_BYTES - HASH_CHARS - 1) + "_" + hash;
  }

  /** The longest prefix of {@code s} of at most {@code maxBytes} UTF-8 bytes, whole characters. */
  static String utf8Prefix(String s, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  private static String replaceWholeParts(String name, String part, String replacement) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < name.length()) {
      int at = name.indexOf(part, i);
      if (at < 0) {
        break;
      }
      int end = at + part.length();
      boolean startsPart = at == 0 || name.charAt(at - 1) == '_';
      boolean endsPart = end == name.length() || name.charAt(end) == '_';
      if (startsPart && endsPart) {
        out.append(name, i, at).append(replacement);
        i = end;
      } else {
        out.append(name, i, at + 1);
        i = at + 1;
      }
    }
    return out.append(name.substring(i)).toString();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
