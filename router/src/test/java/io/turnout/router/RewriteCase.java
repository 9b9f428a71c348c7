package io.turnout.router;

import io.turnout.config.state.Phase;
import java.util.List;
import java.util.Locale;

/**
 * One row of the rewrite table: a statement with sample parameters (SQL literals), the phase it is
 * decided in, the schema version it is written against, and the expected decision, with the exact
 * text where the case pins it. Built fluently, Calcite style: {@code rewrite("insert
 * …").isRewrittenTo("…")}.
 */
final class RewriteCase {
  enum Kind {
    PASS,
    REWRITE,
    ROUTE,
    REJECT
  }

  /** Which application wrote the statement: old code (old columns) or new code (new columns). */
  enum Schema {
    OLD,
    NEW,
    /** Old and new columns in one statement (code that already dual-writes by itself). */
    BOTH
  }

  final String sql;
  List<String> params = List.of();
  Phase phase = Phase.READS;
  Schema schema = Schema.OLD;
  Kind kind;
  String expectedSql;
  String expectedOld;
  String expectedNew;
  String rejectFragment;
  String name;

  /** The stored values differ between runs (clock, random UUIDs): compare invariants only. */
  boolean nondeterministic;

  /** Do not execute (for statements that cannot run, e.g. naming a table that does not exist). */
  boolean noExec;

  private RewriteCase(String sql) {
    this.sql = sql;
  }

  static RewriteCase rewrite(String sql) {
    return new RewriteCase(sql);
  }

  RewriteCase named(String n) {
    this.name = n;
    return this;
  }

  RewriteCase with(String... literals) {
    this.params = List.of(literals);
    return this;
  }

  RewriteCase in(Phase p) {
    this.phase = p;
    return this;
  }

  RewriteCase newSchema() {
    this.schema = Schema.NEW;
    return this;
  }

  RewriteCase bothSchemas() {
    this.schema = Schema.BOTH;
    return this;
  }

  RewriteCase nondeterministic() {
    this.nondeterministic = true;
    return this;
  }

  RewriteCase noExec() {
    this.noExec = true;
    return this;
  }

  RewriteCase passes() {
    this.kind = Kind.PASS;
    return this;
  }

  RewriteCase isRewritten() {
    this.kind = Kind.REWRITE;
    return this;
  }

  RewriteCase isRewrittenTo(String sql) {
    this.kind = Kind.REWRITE;
    this.expectedSql = sql;
    return this;
  }

  RewriteCase isRouted() {
    this.kind = Kind.ROUTE;
    return this;
  }

  RewriteCase isRoutedTo(String oldSql, String newSql) {
    this.kind = Kind.ROUTE;
    this.expectedOld = oldSql;
    this.expectedNew = newSql;
    return this;
  }

  RewriteCase isRejected(String messageFragment) {
    this.kind = Kind.REJECT;
    this.rejectFragment = messageFragment;
    return this;
  }

  boolean isWrite() {
    String s = sql.stripLeading().toLowerCase(Locale.ROOT);
    while (s.startsWith("/*")) {
      s = s.substring(s.indexOf("*/") + 2).stripLeading();
    }
    return s.startsWith("insert")
        || s.startsWith("update")
        || s.startsWith("delete")
        || s.startsWith("merge")
        || s.startsWith("copy")
        || s.startsWith("do")
        || (s.startsWith("with")
            && (s.contains("insert ") || s.contains("update ") || s.contains("delete ")));
  }

  boolean ordered() {
    return sql.toLowerCase(Locale.ROOT).contains("order by") && !isWrite();
  }

  @Override
  public String toString() {
    return (name != null ? name + ": " : "")
        + sql
        + (params.isEmpty() ? "" : " " + params)
        + (phase != Phase.READS ? " [" + phase + "]" : "");
  }
}
