package io.turnout.router.explain;

import io.turnout.config.plan.Migration;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.router.Decision;
import io.turnout.router.PassThrough;
import io.turnout.router.Reject;
import io.turnout.router.Rewrite;
import io.turnout.router.Route;
import io.turnout.router.Router;
import io.turnout.router.StickyKey;
import io.turnout.router.lexical.StatementSplitter;
import io.turnout.router.route.Planner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code turnout explain} prints for a statement: the decision as JSON ({@code
 * {"kind":"pass"}}, {@code {"kind":"rewrite","sql":…}}, {@code {"kind":"route","old":…,"new":…}},
 * {@code {"kind":"reject","sqlstate":…,"message":…}}) or as text for a terminal.
 */
public final class Explainer {
  /** One statement's explanation. */
  public record Explanation(String sql, Decision decision, String note) {}

  private final Router router;

  public Explainer(Router router) {
    this.router = router;
  }

  /**
   * The state {@code explain} assumes: every migration in {@code phase}, reads at 50 % in {@code
   * reads}. The default, {@link Phase#READS}, is the phase in which every rewrite is active.
   */
  public static StateSnapshot stateFor(List<? extends Migration> migrations, Phase phase) {
    Map<String, MigrationState> m = new HashMap<>();
    for (Migration mig : migrations) {
      m.put(
          mig.id(),
          new MigrationState(
              mig.id(),
              phase,
              phase == Phase.READS ? 50 : phase.compareTo(Phase.READS) > 0 ? 100 : 0,
              0));
    }
    return new StateSnapshot(1, m);
  }

  /** Explains each statement of {@code sql} (split at top-level semicolons). */
  public List<Explanation> explain(String sql, StateSnapshot state) {
    List<Explanation> out = new ArrayList<>();
    for (StatementSplitter.Piece p : Router.split(sql)) {
      Planner.Outcome o = router.explain(p.sql(), state);
      out.add(new Explanation(p.sql(), o.decision(), o.reason()));
    }
    return out;
  }

  /** JSON: one object for one statement, an array for several. */
  public static String json(List<Explanation> explanations) {
    if (explanations.size() == 1) {
      return json(explanations.get(0));
    }
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < explanations.size(); i++) {
      b.append(i > 0 ? ",\n " : "").append(json(explanations.get(i)));
    }
    return b.append(']').toString();
  }

  public static String json(Explanation e) {
    Decision d = e.decision();
    StringBuilder b = new StringBuilder("{");
    if (d instanceof PassThrough) {
      b.append("\"kind\": \"pass\"");
    } else if (d instanceof Rewrite r) {
      b.append("\"kind\": \"rewrite\", \"sql\": ").append(quote(r.sql()));
      b.append(", \"migrations\": ").append(array(r.migrationIds()));
    } else if (d instanceof Route r) {
      b.append("\"kind\": \"route\", \"old\": ").append(quote(r.oldSql()));
      b.append(", \"new\": ").append(quote(r.newSql()));
      b.append(", \"migration\": ").append(quote(r.migrationId()));
      if (r.key() != null) {
        b.append(", \"sticky_key\": ").append(quote(describe(r.key())));
      }
    } else if (d instanceof Reject r) {
      b.append("\"kind\": \"reject\", \"sqlstate\": ").append(quote(r.sqlstate()));
      b.append(", \"message\": ").append(quote(r.message()));
    }
    if (e.note() != null) {
      b.append(", \"note\": ").append(quote(e.note()));
    }
    return b.append('}').toString();
  }

  /** Text for a terminal. */
  public static String text(List<Explanation> explanations, Phase phase) {
    StringBuilder b = new StringBuilder();
    b.append("phase: ").append(phase.name().toLowerCase(Locale.ROOT)).append('\n');
    for (Explanation e : explanations) {
      if (explanations.size() > 1) {
        b.append("\nstatement: ").append(e.sql().strip()).append('\n');
      }
      Decision d = e.decision();
      if (d instanceof PassThrough) {
        b.append("pass: forwarded unchanged");
        if (e.note() != null) {
          b.append(" (old path; not analysed: ").append(e.note()).append(')');
        }
        b.append('\n');
      } else if (d instanceof Rewrite r) {
        b.append("rewrite (")
            .append(String.join(", ", r.migrationIds()))
            .append("):\n  ")
            .append(r.sql())
            .append('\n');
      } else if (d instanceof Route r) {
        b.append("route by ").append(r.migrationId()).append("'s read percentage:\n");
        b.append("  old: ").append(r.oldSql()).append('\n');
        b.append("  new: ").append(r.newSql()).append('\n');
        if (r.key() != null) {
          b.append("  sticky key: ").append(describe(r.key())).append('\n');
        }
      } else if (d instanceof Reject r) {
        b.append("reject ").append(r.sqlstate()).append(": ").append(r.message()).append('\n');
      }
    }
    return b.toString();
  }

  /** {@code $1} for a parameter, the value for a literal. */
  private static String describe(StickyKey key) {
    return key.isParameter() ? "$" + key.parameter() : key.literal();
  }

  private static String array(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      b.append(i > 0 ? ", " : "").append(quote(items.get(i)));
    }
    return b.append(']').toString();
  }

  /** A JSON string literal (RFC 8259 escaping). */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
