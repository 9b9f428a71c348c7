package io.turnout.router.lexical;

import io.turnout.config.plan.TableName;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, without parsing, whether a statement can name a managed table at all. Two stages: {@link
 * #mayTouch(String)} is a case-insensitive substring scan that allocates nothing and rejects almost
 * every unrelated statement in tens of nanoseconds; {@link #touches(SqlTokens)} then checks the
 * tokens, so a table name inside a string literal or comment, or a differently cased quoted name
 * ({@code "Users"}), does not count. A name inside a dollar-quoted body (a {@code DO} block or
 * function body) does count: that text is code.
 */
public final class PreFilter {
  private final char[][] names;
  private final int[][] shifts;
  private final Set<String> folded;

  public PreFilter(Collection<TableName> tables) {
    Set<String> set = new LinkedHashSet<>();
    for (TableName t : tables) {
      set.add(t.name());
    }
    this.folded = Set.copyOf(set);
    this.names = new char[set.size()][];
    this.shifts = new int[set.size()][];
    int k = 0;
    for (String name : set) {
      // Stage one compares lower-cased, so a quoted mixed-case name ("User") is found too.
      char[] n = name.toLowerCase(Locale.ROOT).toCharArray();
      // Index 128 holds the shift for any non-ASCII character: 1 if the name has one.
      int[] shift = new int[129];
      java.util.Arrays.fill(shift, n.length);
      for (int j = 0; j < n.length - 1; j++) {
        if (n[j] < 128) {
          shift[n[j]] = n.length - 1 - j;
        } else {
          shift[128] = 1;
        }
      }
      names[k] = n;
      shifts[k] = shift;
      k++;
    }
  }

  /** True when no table is managed, so every statement passes. */
  public boolean isEmpty() {
    return names.length == 0;
  }

  /**
   * Stage one: does the text contain a managed table's name, ignoring ASCII case, or a {@code U&"}
   * (a Unicode-escaped identifier, which can spell a name without containing it)? False negatives
   * are impossible: any other identifier that PostgreSQL folds or truncates to the name contains
   * it.
   */
  public boolean mayTouch(String sql) {
    if (names.length == 0) {
      return false;
    }
    for (int k = 0; k < names.length; k++) {
      if (containsIgnoreCase(sql, names[k], shifts[k])) {
        return true;
      }
    }
    return hasUnicodeIdentifier(sql);
  }

  /**
   * Whether {@code U&"} occurs (either case of U): a Unicode-escaped identifier can spell a managed
   * name without containing it, so stage two has to decode it.
   */
  private static boolean hasUnicodeIdentifier(String sql) {
    int i = sql.indexOf("&\"", 1);
    while (i > 0) {
      char u = sql.charAt(i - 1);
      if (u == 'u' || u == 'U') {
        return true;
      }
      i = sql.indexOf("&\"", i + 2);
    }
    return false;
  }

  /**
   * Stage two: does an identifier token name a managed table as PostgreSQL reads it (unquoted names
   * compare case-insensitively, quoted names exactly, {@code U&"…"} names decoded, all cut to 63
   * bytes), or does a dollar-quoted body mention one? An undecodable {@code U&"…"} identifier
   * counts as a mention.
   */
  public boolean touches(SqlTokens tokens) {
    for (int i = 0, n = tokens.size(); i < n; i++) {
      byte kind = tokens.kind(i);
      if (kind == SqlTokens.IDENT
          || kind == SqlTokens.QUOTED_IDENT
          || tokens.isUnicodeIdentifier(i)) {
        String name = tokens.name(i);
        // An undecodable U&"…" identifier might have meant a managed name.
        if (name == null || folded.contains(name)) {
          return true;
        }
      } else if (kind == SqlTokens.DOLLAR_STRING || kind == SqlTokens.UNICODE) {
        String body = tokens.text(i);
        for (int k = 0; k < names.length; k++) {
          if (containsIgnoreCase(body, names[k], shifts[k])) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether a folded name is a managed table's (unqualified) name. */
  public boolean isManagedName(String foldedName) {
    return folded.contains(foldedName);
  }

  /**
   * Horspool search ignoring ASCII case: the character under the end of the window decides how far
   * to shift, so most of a statement's characters are never looked at.
   */
  private static boolean containsIgnoreCase(String s, char[] name, int[] shift) {
    final int m = name.length;
    final int n = s.length();
    if (n < m) {
      return false;
    }
    final int last = m - 1;
    final char end = name[last];
    int i = last;
    while (i < n) {
      char c = s.charAt(i);
      char lc = c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
      if (lc == end) {
        int j = last - 1;
        int k = i - 1;
        while (j >= 0) {
          char a = s.charAt(k);
          char la = a >= 'A' && a <= 'Z' ? (char) (a | 0x20) : a;
          if (la != name[j]) {
            break;
          }
          j--;
          k--;
        }
        if (j < 0) {
          return true;
        }
      }
      i += shift[lc < 128 ? lc : 128];
    }
    return false;
  }

  @Override
  public String toString() {
    return "PreFilter" + folded.toString().toLowerCase(Locale.ROOT);
  }
}
