package io.turnout.router.rewrite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Text edits against one original statement, applied by splicing: everything outside an edit stays
 * byte-identical (comments, spacing, {@code $n} numbering). A replacement that covers earlier edits
 * absorbs them (the caller renders the covered text with {@link #render} first); partly overlapping
 * edits are a bug and throw.
 */
public final class Edits {
  /** One edit: replace [start, end) by text; start == end inserts. */
  public record Edit(int start, int end, String text, int seq) {}

  private static final Comparator<Edit> ORDER =
      Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end).thenComparingInt(Edit::seq);

  private final String sql;
  private final List<Edit> edits = new ArrayList<>();
  private int seq;

  public Edits(String sql) {
    this.sql = sql;
  }

  public String original() {
    return sql;
  }

  public boolean isEmpty() {
    return edits.isEmpty();
  }

  public List<Edit> edits() {
    List<Edit> sorted = new ArrayList<>(edits);
    sorted.sort(ORDER);
    return sorted;
  }

  public void insert(int pos, String text) {
    edits.add(new Edit(pos, pos, text, seq++));
  }

  /** Replaces [start, end), absorbing edits strictly inside it. */
  public void replace(int start, int end, String text) {
    if (start == end) {
      insert(start, text);
      return;
    }
    edits.removeIf(
        e -> {
          boolean inside =
              e.start() >= start
                  && e.end() <= end
                  && !(e.start() == e.end() && (e.start() == start || e.start() == end));
          if (inside) {
            return true;
          }
          boolean disjoint = e.end() <= start || e.start() >= end;
          if (!disjoint) {
            throw new IllegalStateException(
                "overlapping edits: [" + start + "," + end + ") and " + e);
          }
          return false;
        });
    edits.add(new Edit(start, end, text, seq++));
  }

  /** True when some edit lies inside [start, end). */
  public boolean touches(int start, int end) {
    for (Edit e : edits) {
      if (e.start() >= start
          && e.end() <= end
          && (e.start() < e.end() || (e.start() > start && e.start() < end))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The text of [start, end) with the edits inside it applied; inserts exactly at the bounds are
   * left out (they belong to the surrounding text).
   */
  public String render(int start, int end) {
    List<Edit> inside = new ArrayList<>();
    for (Edit e : edits) {
      boolean in =
          e.start() >= start
              && e.end() <= end
              && !(e.start() == e.end() && (e.start() == start || e.start() == end))
              && !(e.start() == start && e.end() == start);
      if (in) {
        inside.add(e);
      }
    }
    return splice(start, end, inside);
  }

  /** The whole statement with every edit applied. */
  public String apply() {
    return splice(0, sql.length(), edits);
  }

  private String splice(int start, int end, List<Edit> list) {
    if (list.isEmpty()) {
      return sql.substring(start, end);
    }
    List<Edit> sorted = new ArrayList<>(list);
    sorted.sort(ORDER);
    StringBuilder b = new StringBuilder(end - start + 64);
    int pos = start;
    for (Edit e : sorted) {
      if (e.start() < pos) {
        throw new IllegalStateException("overlapping edits at " + e);
      }
      b.append(sql, pos, e.start()).append(e.text());
      pos = e.end();
    }
    b.append(sql, pos, end);
    return b.toString();
  }
}
