package io.turnout.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The lifecycle commands over the admin API, in the order of the operator's journey: {@code
 * status}, {@code expand}, {@code dual-write}, {@code backfill}, {@code verify}, {@code shadow},
 * {@code reads}, {@code writes-new}, {@code rollback}, {@code usage}, {@code contract}, {@code
 * audit}, {@code job} (the long ones are in {@link JobCommands}). Text for people, {@code --json}
 * for scripts; exit 0 done, 1 refused (with the one-line reason), 2 bad usage.
 */
public final class MigrationCommands {
  private MigrationCommands() {}

  /** Every command class, for {@code turnout}'s subcommand list. */
  public static final Class<?>[] ALL = {
    Status.class,
    JobCommands.Expand.class,
    DualWrite.class,
    JobCommands.Backfill.class,
    JobCommands.Verify.class,
    Shadow.class,
    Reads.class,
    WritesNew.class,
    Rollback.class,
    Usage.class,
    JobCommands.Contract.class,
    Audit.class,
    JobCommands.JobCommand.class
  };

  abstract static class Base implements Callable<Integer> {
    @Mixin AdminOptions options;
    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    Integer print(JsonNode body, String text) {
      out().println(options.json ? body.toPrettyString() : text);
      out().flush();
      return 0;
    }

    Integer transition(String id, String action, Integer percent) {
      AdminClient c = options.client();
      ObjectNode body = c.json().createObjectNode();
      body.put("action", action);
      if (percent != null) {
        body.put("percent", percent);
      }
      JsonNode r = c.post("/api/v1/migrations/" + id + "/transitions", body);
      JsonNode m = r.path("migration");
      String text =
          id
              + ": "
              + (r.path("changed").asBoolean() ? "" : "unchanged: ")
              + r.path("reason").asText()
              + " (phase "
              + m.path("phase").asText()
              + ", reads "
              + m.path("read_percent").asInt()
              + "% new, shadow "
              + m.path("shadow_percent").asInt()
              + "%, version "
              + m.path("version").asLong()
              + ")";
      return print(r, text);
    }
  }

  static int percent(String text) {
    String t = text.trim();
    if (t.endsWith("%")) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      int p = Integer.parseInt(t);
      if (p >= 0 && p <= 100) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CliFailure(2, "percent must be 0..100 (e.g. 25 or 25%), was '" + text + "'");
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Every migration's phase, read %% and shadow %% (or one migration's).")
  static final class Status extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MIGRATION")
    String id;

    @Override
    public Integer call() {
      AdminClient c = options.client();
      if (id != null) {
        JsonNode m = c.get("/api/v1/migrations/" + id);
        return print(m, header() + "\n" + row(m));
      }
      JsonNode all = c.get("/api/v1/migrations");
      StringBuilder sb = new StringBuilder(header());
      for (JsonNode m : all.path("migrations")) {
        sb.append('\n').append(row(m));
      }
      sb.append("\nstate version ").append(all.path("version").asLong());
      return print(all, sb.toString());
    }

    private static String header() {
      return String.format(
          Locale.ROOT,
          "%-24s %-16s %-26s %-11s %6s %7s %6s",
          "MIGRATION",
          "KIND",
          "TABLE",
          "PHASE",
          "READS",
          "SHADOW",
          "DRIFT");
    }

    private static String row(JsonNode m) {
      return String.format(
          Locale.ROOT,
          "%-24s %-16s %-26s %-11s %5d%% %6d%% %6s",
          m.path("id").asText(),
          m.path("kind").asText(),
          m.path("table").asText(),
          m.path("phase").asText(),
          m.path("read_percent").asInt(),
          m.path("shadow_percent").asInt(),
          m.has("drift") ? m.path("drift").asText() : "-");
    }
  }

  @Command(
      name = "dual-write",
      mixinStandardHelpOptions = true,
      description = "Turn dual-write on or off for a migration.")
  static final class DualWrite extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Parameters(index = "1", paramLabel = "on|off")
    String onOff;

    @Override
    public Integer call() {
      String v = onOff.toLowerCase(Locale.ROOT);
      if (!v.equals("on") && !v.equals("off")) {
        throw new CliFailure(2, "dual-write takes on or off, not '" + onOff + "'");
      }
      return transition(id, "dual_write_" + v, null);
    }
  }

  @Command(
      name = "shadow",
      mixinStandardHelpOptions = true,
      description = "Compare old and new results on P%% of reads.")
  static final class Shadow extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Parameters(index = "1", paramLabel = "P")
    String percent;

    @Override
    public Integer call() {
      return transition(id, "shadow", percent(percent));
    }
  }

  @Command(
      name = "reads",
      mixinStandardHelpOptions = true,
      description =
          "Serve P%% of reads from the new schema (0 = all old, 100 = reads_new); guarded.")
  static final class Reads extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Parameters(index = "1", paramLabel = "P")
    String percent;

    @Override
    public Integer call() {
      return transition(id, "reads", percent(percent));
    }
  }

  @Command(
      name = "writes-new",
      mixinStandardHelpOptions = true,
      description = "Make the new columns the source of truth (from reads_new).")
  static final class WritesNew extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Override
    public Integer call() {
      return transition(id, "writes_new", null);
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "One step back; reads go back to the old path first, fleet-wide.")
  static final class Rollback extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Override
    public Integer call() {
      return transition(id, "rollback", null);
    }
  }

  @Command(
      name = "usage",
      mixinStandardHelpOptions = true,
      description =
          "Who still sends statements using a migration's old names (and who its new ones):"
              + " application_name, role, client address, count, last seen.")
  static final class Usage extends Base {
    @Parameters(index = "0", paramLabel = "MIGRATION")
    String id;

    @Override
    public Integer call() {
      JsonNode r = options.client().get("/api/v1/migrations/" + id + "/usage");
      StringBuilder sb =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%s: %d statements with the old names (last %s), %d with the new (last %s)",
                  id,
                  r.path("old_statements").asLong(),
                  r.path("old_last_seen").asText("never"),
                  r.path("new_statements").asLong(),
                  r.path("new_last_seen").asText("never")));
      if (r.path("rows").size() > 0) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%n%-5s %-24s %-16s %-20s %10s  %s",
                "NAMES",
                "APPLICATION",
                "ROLE",
                "CLIENT",
                "STATEMENTS",
                "LAST SEEN"));
      }
      for (JsonNode u : r.path("rows")) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%n%-5s %-24s %-16s %-20s %10d  %s",
                u.path("names").asText(),
                u.path("application_name").asText(),
                u.path("role").asText(),
                u.path("client_address").asText(),
                u.path("statements").asLong(),
                u.path("last_seen").asText()));
      }
      return print(r, sb.toString());
    }
  }

  @Command(
      name = "audit",
      mixinStandardHelpOptions = true,
      description =
          "Accepted changes, newest first: who, when, from where, from what to what, why.")
  static final class Audit extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MIGRATION")
    String id;

    @picocli.CommandLine.Option(names = "--limit", defaultValue = "50", paramLabel = "N")
    int limit;

    @Override
    public Integer call() {
      JsonNode r =
          options
              .client()
              .get("/api/v1/audit?limit=" + limit + (id == null ? "" : "&migration=" + id));
      StringBuilder sb = new StringBuilder();
      for (JsonNode a : r.path("entries")) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "%s  v%-5d %-20s %-14s %s → %s (reads %d%% → %d%%)  by %s%s  %s",
                a.path("at").asText(),
                a.path("version").asLong(),
                a.path("migration").asText(),
                a.path("action").asText(),
                a.path("from_phase").asText(),
                a.path("to_phase").asText(),
                a.path("from_read_percent").asInt(),
                a.path("to_read_percent").asInt(),
                a.path("actor").asText(),
                a.has("client_address") ? " from " + a.path("client_address").asText() : "",
                a.path("reason").asText("")));
      }
      return print(r, sb.length() == 0 ? "no changes yet" : sb.toString());
    }
  }
}
