package io.turnout.router.route;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Decision;
import io.turnout.router.PassThrough;
import io.turnout.router.Reject;
import io.turnout.router.Rewrite;
import io.turnout.router.Route;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.PreFilter;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.lexical.StatementKind;
import io.turnout.router.rewrite.ColumnPlan;
import io.turnout.router.rewrite.StatementRewriter;
import io.turnout.router.rewrite.View;
import io.turnout.router.rewrite.View.Side;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;

/**
 * Turns one statement that names a managed table into a decision, given the migrations' phases:
 * which variant(s) to produce, and what a statement the rewriter cannot follow gets. Pure; the
 * {@link io.turnout.router.Router} caches what it returns.
 *
 * <p>Phase rules, per migration: before {@code expanded} and after {@code contracted} nothing
 * changes. From {@code expanded}, {@code *} keeps the old shape and references to new columns are
 * served from the old ones. From {@code dual_write}, writes keep both sides in sync. In {@code
 * reads}, a read has an old and a new variant ({@link Route}); from {@code reads_new} reads use the
 * new columns only.
 */
public final class Planner {
  /** A decision plus whether it came from the unanalysable-read path (to be counted). */
  public record Outcome(Decision decision, boolean unanalysedRead, String reason) {
    static Outcome of(Decision d) {
      return new Outcome(d, false, null);
    }
  }

  private final List<ColumnPlan> plans;
  private final Predicate<String> stableText;

  public Planner(List<ColumnPlan> plans, Predicate<String> stableText) {
    this.plans = List.copyOf(plans);
    this.stableText = stableText;
  }

  /** True when some migration is between {@code expanded} and {@code writes_new}. */
  public static boolean isActive(Phase phase) {
    return phase.compareTo(Phase.EXPANDED) >= 0 && phase != Phase.CONTRACTED;
  }

  public Outcome decide(
      String sql, SqlTokens tokens, PreFilter filter, StateSnapshot state, Catalog catalog) {
    return decide(sql, tokens, filter, ManagedViews.of(catalog, plans), state, catalog);
  }

  /**
   * @param views the views of {@code catalog} over managed tables ({@link ManagedViews#of}, built
   *     once per catalog snapshot by the caller)
   */
  public Outcome decide(
      String sql,
      SqlTokens tokens,
      PreFilter filter,
      ManagedViews views,
      StateSnapshot state,
      Catalog catalog) {
    if (!views.isEmpty()) {
      ManagedViews.Written w = views.writtenView(tokens, StatementKind.of(tokens));
      if (w != null) {
        Outcome o = writeThroughView(w, state);
        if (o != null) {
          return o;
        }
      }
    }
    if (!filter.touches(tokens)) {
      return Outcome.of(PassThrough.INSTANCE);
    }
    Map<TableName, List<ColumnPlan>> active = new LinkedHashMap<>();
    List<ColumnPlan> lexicallyTouched = new ArrayList<>();
    for (ColumnPlan p : plans) {
      if (isActive(state.phase(p.id()))) {
        active.computeIfAbsent(p.table(), t -> new ArrayList<>()).add(p);
        if (mentions(tokens, p.table().name())) {
          lexicallyTouched.add(p);
        }
      }
    }
    if (lexicallyTouched.isEmpty()) {
      return Outcome.of(PassThrough.INSTANCE);
    }
    StatementKind kind = StatementKind.of(tokens);
    switch (kind) {
      case UTILITY:
        return Outcome.of(PassThrough.INSTANCE);
      case OPAQUE_READ:
        return unanalysable(false, lexicallyTouched, state, "this statement is not analysed");
      case OPAQUE_WRITE:
      case COPY_FROM:
        return unanalysable(
            true,
            lexicallyTouched,
            state,
            kind == StatementKind.COPY_FROM
                ? "COPY … FROM loads rows without dual-write"
                : "its writes cannot be analysed");
      default:
        break;
    }
    boolean write = kind == StatementKind.DML;
    try {
      if (tokens.hasTaggedDollarQuote()) {
        throw new Unanalysable("tagged dollar quotes ($tag$…$tag$) are not parsed reliably");
      }
      if (tokens.hasUnicodeEscape()) {
        throw new Unanalysable(
            hasUnicodeIdentifier(tokens)
                ? "Unicode-escaped identifier (U&\"…\"), which JSqlParser does not decode"
                : "U& strings are not parsed reliably");
      }
      checkTruncatedNames(tokens);
      ParsedStatement parsed = ParsedStatement.parse(sql, tokens);
      write = isWrite(parsed.statement());
      if (!(parsed.statement() instanceof Select || write)) {
        throw new Unanalysable(parsed.statement().getClass().getSimpleName() + " is not analysed");
      }
      if (write
          && !(parsed.statement() instanceof Insert
              || parsed.statement() instanceof Update
              || parsed.statement() instanceof Delete
              || parsed.statement() instanceof Select)) {
        throw new Unanalysable(parsed.statement().getClass().getSimpleName() + " is not analysed");
      }
      return write
          ? decideWrite(parsed, active, state, catalog)
          : decideRead(parsed, active, state, catalog);
    } catch (Unanalysable u) {
      return unanalysable(write, lexicallyTouched, state, u.getMessage());
    } catch (StatementRewriter.Rejected r) {
      return Outcome.of(reject(r.plan(), state, r.getMessage()));
    } catch (StackOverflowError e) {
      // The parser's input is bounded by ParsedStatement.MAX_DEPTH, but nesting it does not count
      // (CASE in CASE, NOT NOT …) can still exhaust the stack of a recursive walk.
      return unanalysable(write, lexicallyTouched, state, "too deeply nested to analyse");
    }
  }

  private Outcome decideWrite(
      ParsedStatement parsed,
      Map<TableName, List<ColumnPlan>> active,
      StateSnapshot state,
      Catalog catalog) {
    Map<String, Side> sides = new HashMap<>();
    Set<String> dual = new HashSet<>();
    for (List<ColumnPlan> ps : active.values()) {
      for (ColumnPlan p : ps) {
        Phase phase = state.phase(p.id());
        sides.put(p.id(), phase.compareTo(Phase.READS_NEW) < 0 ? Side.OLD : Side.AS_IS);
        if (phase.dualWrites()) {
          dual.add(p.id());
        }
      }
    }
    StatementRewriter.Result r =
        new StatementRewriter(parsed, catalog, active, new View(sides, dual), stableText).rewrite();
    if (!r.changed()) {
      return Outcome.of(PassThrough.INSTANCE);
    }
    return Outcome.of(new Rewrite(r.sql(), ordered(r.applied())));
  }

  private Outcome decideRead(
      ParsedStatement parsed,
      Map<TableName, List<ColumnPlan>> active,
      StateSnapshot state,
      Catalog catalog) {
    Map<String, Side> oldSides = new HashMap<>();
    Map<String, Side> newSides = new HashMap<>();
    boolean ramping = false;
    for (List<ColumnPlan> ps : active.values()) {
      for (ColumnPlan p : ps) {
        Phase phase = state.phase(p.id());
        boolean readsNew = phase.compareTo(Phase.READS_NEW) >= 0;
        oldSides.put(p.id(), readsNew ? Side.NEW : Side.OLD);
        newSides.put(p.id(), phase.compareTo(Phase.READS) >= 0 ? Side.NEW : Side.OLD);
        ramping |= phase == Phase.READS;
      }
    }
    StatementRewriter.Result old =
        new StatementRewriter(parsed, catalog, active, new View(oldSides, Set.of()), stableText)
            .rewrite();
    if (ramping) {
      StatementRewriter.Result neu =
          new StatementRewriter(parsed, catalog, active, new View(newSides, Set.of()), stableText)
              .rewrite();
      if (!neu.sql().equals(old.sql())) {
        String id = null;
        int lowest = Integer.MAX_VALUE;
        Set<String> involved = new HashSet<>(old.applied());
        involved.addAll(neu.applied());
        // Lowest read percentage wins; ties go to the first migration in plan order.
        for (ColumnPlan p : plans) {
          if (!involved.contains(p.id())) {
            continue;
          }
          MigrationState s = state.of(p.id()).orElse(null);
          if (s != null && s.phase() == Phase.READS && s.readPercent() < lowest) {
            lowest = s.readPercent();
            id = p.id();
          }
        }
        if (id != null) {
          return Outcome.of(
              new Route(old.sql(), neu.sql(), id, StickyKeys.of(parsed, plan(id), catalog)));
        }
      }
    }
    if (!old.changed()) {
      return Outcome.of(PassThrough.INSTANCE);
    }
    return Outcome.of(new Rewrite(old.sql(), ordered(old.applied())));
  }

  private ColumnPlan plan(String id) {
    for (ColumnPlan p : plans) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no plan " + id);
  }

  private List<String> ordered(Set<String> ids) {
    List<String> out = new ArrayList<>();
    for (ColumnPlan p : plans) {
      if (ids.contains(p.id())) {
        out.add(p.id());
      }
    }
    return out;
  }

  private Outcome unanalysable(
      boolean write, List<ColumnPlan> touched, StateSnapshot state, String reason) {
    for (ColumnPlan p : touched) {
      UnanalysablePolicy policy = p.migration().onUnanalysable();
      Phase phase = state.phase(p.id());
      if (write) {
        if (phase.dualWrites() && policy.writes() == UnanalysablePolicy.WriteAction.REJECT) {
          return Outcome.of(
              reject(
                  p,
                  state,
                  "cannot analyse this write, and a write that skips dual-write loses data ("
                      + reason
                      + ")"));
        }
      } else if (policy.reads() == UnanalysablePolicy.ReadAction.REJECT) {
        return Outcome.of(reject(p, state, "cannot analyse this read (" + reason + ")"));
      }
    }
    return new Outcome(PassThrough.INSTANCE, !write, reason);
  }

  /**
   * A write through a view reaches a managed table without naming it: refused while a migration on
   * that table dual-writes (unless its policy passes unanalysable writes). Before dual-write there
   * is nothing to keep in sync, as for a write that names the table.
   */
  private Outcome writeThroughView(ManagedViews.Written w, StateSnapshot state) {
    for (ColumnPlan p : plans) {
      if (w.tables().contains(p.table())
          && state.phase(p.id()).dualWrites()
          && p.migration().onUnanalysable().writes() == UnanalysablePolicy.WriteAction.REJECT) {
        return Outcome.of(
            reject(
                p,
                state,
                "writes through view "
                    + w.view()
                    + " reach managed table "
                    + p.table()
                    + " of migration "
                    + p.id()
                    + " and cannot be dual-written; write to "
                    + p.table()
                    + " directly"));
      }
    }
    return null;
  }

  /** The error a client sees; names the migration, its phase and its table. */
  public static Reject reject(ColumnPlan p, StateSnapshot state, String reason) {
    String phase = state.phase(p.id()).name().toLowerCase(Locale.ROOT);
    return new Reject(
        Reject.FEATURE_NOT_SUPPORTED,
        "turnout: migration \""
            + p.id()
            + "\" ("
            + p.kind()
            + ", phase "
            + phase
            + ") on table "
            + p.table()
            + ": "
            + reason);
  }

  static boolean isWrite(Statement st) {
    if (st instanceof Insert || st instanceof Update || st instanceof Delete) {
      return true;
    }
    if (st instanceof Select s && s.getWithItemsList() != null) {
      for (WithItem<?> w : s.getWithItemsList()) {
        Object body = w.getParenthesedStatement();
        if (body instanceof Insert || body instanceof Update || body instanceof Delete) {
          return true;
        }
      }
    }
    return !(st instanceof Select);
  }

  private static boolean hasUnicodeIdentifier(SqlTokens tokens) {
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.isUnicodeIdentifier(i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An identifier longer than 63 bytes that PostgreSQL cuts down to a managed table's name: the
   * parser and catalog see the long name, PostgreSQL the managed table.
   */
  private void checkTruncatedNames(SqlTokens tokens) {
    for (int i = 0; i < tokens.size(); i++) {
      if (!tokens.isIdentifier(i)) {
        continue;
      }
      String name = tokens.name(i);
      if (!name.equals(tokens.identifier(i))) {
        for (ColumnPlan p : plans) {
          if (p.table().name().equals(name)) {
            throw new Unanalysable(
                "identifier longer than 63 bytes, which PostgreSQL truncates to " + name);
          }
        }
      }
    }
  }

  private static boolean mentions(SqlTokens tokens, String tableName) {
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.isIdentifier(i) || tokens.isUnicodeIdentifier(i)) {
        String name = tokens.name(i);
        // An undecodable U&"…" identifier might have meant the table.
        if (name == null || tableName.equals(name)) {
          return true;
        }
      }
      if (tokens.kind(i) == SqlTokens.DOLLAR_STRING
          && tokens.text(i).toLowerCase(Locale.ROOT).contains(tableName.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
