package io.turnout.router.lexical;

import io.turnout.config.plan.TableName;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, without parsing, whether a statement can name a managed table at all. Two stages:
 * {@link #mayTouch(String)} is a case-insensitive substring scan that allocates nothing and
 * rejects almost every unrelated statement in tens of nanoseconds; {@link #touches(SqlTokens)}
 * then checks the tokens, so a table name inside a string literal or comment, or a differently
 * cased quoted name ({@code "Users"}), does not count. A name inside a dollar-quoted body (a
 * {@code DO} block or function body) does count: that text is code.
 */
public final class PreFilter {
  private final char[][] names;
  private final Set<String> folded;

  public PreFilter(Collection<TableName> tables) {
    Set<String> set = new LinkedHashSet<>();
    for (TableName t : tables) {
      set.add(t.name());
    }
    this.folded = Set.copyOf(set);
    this.names = new char[set.size()][];
    int k = 0;
    for (String name : set) {
      // Stage one compares lower-cased, so a quoted mixed-case name ("User") is found too.
      names[k++] = name.toLowerCase(Locale.ROOT).toCharArray();
    }
  }

  /** True when no table is managed, so every statement passes. */
  public boolean isEmpty() {
    return names.length == 0;
  }

  /**
   * Stage one: does the text contain a managed table's name, ignoring ASCII case? False
   * negatives are impossible (an identifier that PostgreSQL folds to the name contains it).
   */
  public boolean mayTouch(String sql) {
    for (char[] name : names) {
      if (containsIgnoreCase(sql, name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Stage two: does an identifier token fold to a managed table's name (unquoted names compare
   * case-insensitively, quoted names exactly), or does a dollar-quoted body mention one?
   */
  public boolean touches(SqlTokens tokens) {
    for (int i = 0, n = tokens.size(); i < n; i++) {
      byte kind = tokens.kind(i);
      if (kind == SqlTokens.IDENT || kind == SqlTokens.QUOTED_IDENT) {
        if (folded.contains(tokens.identifier(i))) {
          return true;
        }
      } else if (kind == SqlTokens.DOLLAR_STRING || kind == SqlTokens.UNICODE) {
        String body = tokens.text(i);
        for (char[] name : names) {
          if (containsIgnoreCase(body, name)) {
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

  private static boolean containsIgnoreCase(String s, char[] name) {
    final int m = name.length;
    final int last = s.length() - m;
    if (last < 0) {
      return false;
    }
    final char first = name[0];
    final char firstUpper = Character.toUpperCase(first);
    for (int i = 0; i <= last; i++) {
      char c = s.charAt(i);
      if (c == first || c == firstUpper) {
        int j = 1;
        while (j < m) {
          char a = s.charAt(i + j);
          char b = name[j];
          if (a != b && Character.toLowerCase(a) != b) {
            break;
          }
          j++;
        }
        if (j == m) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "PreFilter" + folded.toString().toLowerCase(Locale.ROOT);
  }
}
