package io.turnout.config.validate;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" for a misspelt key, backend, table or column: the closest candidate. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code input} by edit distance, if it is close enough to be a
   * plausible typo (at most one edit per three characters, at most three), or if {@code input} is a
   * clear prefix of it ({@code max_mismatch} → {@code max_mismatch_rate}).
   */
  public static Optional<String> closest(String input, Collection<String> candidates) {
    String in = input.toLowerCase(Locale.ROOT);
    int limit = Math.max(1, Math.min(3, in.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      String cand = c.toLowerCase(Locale.ROOT);
      int d = distance(in, cand);
      if (d > limit && !(in.length() >= 4 && cand.startsWith(in))) {
        continue;
      }
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code did you mean 'x'?} or the empty string. */
  public static String hint(String input, Collection<String> candidates) {
    return closest(input, candidates).map(c -> "did you mean '" + c + "'?").orElse("");
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
