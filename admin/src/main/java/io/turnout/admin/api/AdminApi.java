package io.turnout.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.turnout.admin.control.TransitionRefusedException;
import io.turnout.admin.control.Transitions;
import io.turnout.admin.control.UnknownMigrationException;
import io.turnout.admin.lifecycle.Action;
import io.turnout.admin.lifecycle.Decision.Refused;
import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.lifecycle.Request;
import io.turnout.admin.store.AuditEntry;
import io.turnout.admin.store.ConflictException;
import io.turnout.admin.store.StateFollower;
import io.turnout.admin.store.StateStore;
import io.turnout.admin.store.StoredState;
import io.turnout.admin.usage.NameUse;
import io.turnout.admin.usage.UsageReport;
import io.turnout.admin.usage.UsageRow;
import io.turnout.config.AdminSettings;
import io.turnout.config.plan.Migration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API (Javalin; docs/decisions/0006): health, readiness, state, migrations,
 * transitions, audit, Prometheus metrics and the OpenAPI document. Every change needs the bearer
 * token; reads too unless {@code admin.open_reads}. Bad input gets a 4xx with a JSON error body and
 * changes nothing. Handlers run on Jetty's threads, never on the proxy's event loops.
 */
public final class AdminApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  /**
   * What an operator may ask directly. Expand, backfill, verify and contract are the results of
   * jobs (DDL, batches), so the API never lets them be marked done by hand.
   */
  static final Set<Action> OPERATOR_ACTIONS =
      EnumSet.of(
          Action.DUAL_WRITE_ON,
          Action.DUAL_WRITE_OFF,
          Action.SHADOW,
          Action.READS,
          Action.WRITES_NEW,
          Action.ROLLBACK);

  private final ObjectMapper json = ApiJson.MAPPER;
  private final List<? extends Migration> plan;
  private final StateStore store;
  private final StateFollower follower;
  private final Transitions transitions;
  private final BearerToken token;
  private final boolean openReads;
  private final String instanceId;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Javalin app;
  private final String openApi = resource("openapi.json");

  public AdminApi(
      AdminSettings settings,
      List<? extends Migration> plan,
      StateStore store,
      StateFollower follower,
      Transitions transitions,
      String instanceId) {
    this(settings, plan, store, follower, transitions, Optional.empty(), instanceId);
  }

  /** With {@code jobs}, the job endpoints too (expand, backfill, verify, contract). */
  public AdminApi(
      AdminSettings settings,
      List<? extends Migration> plan,
      StateStore store,
      StateFollower follower,
      Transitions transitions,
      Optional<JobEndpoints> jobs,
      String instanceId) {
    this.plan = List.copyOf(plan);
    this.store = store;
    this.follower = follower;
    this.transitions = transitions;
    this.token =
        new BearerToken(
            settings
                .token()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the admin API needs admin.token: it accepts no change without one")));
    Optional<SSLContext> tls = settings.tls().map(AdminTls::serverContext);
    this.openReads = settings.openReads();
    this.instanceId = instanceId;
    jobs.ifPresent(j -> j.bindMetrics(metrics, this.plan));
    Gauge.builder("turnout_state_version_applied", follower, StateFollower::appliedVersion)
        .description("The state version this instance acts on")
        .tag("instance", instanceId)
        .register(metrics);
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = settings.listen().host();
              config.jetty.port = settings.listen().port();
              tls.ifPresent(
                  context ->
                      config.jetty.addConnector(
                          (server, http) ->
                              AdminTls.connector(
                                  server,
                                  http,
                                  context,
                                  settings.listen().host(),
                                  settings.listen().port())));
              config.routes.before(this::authenticate);
              config.routes.get("/healthz", this::health);
              config.routes.get("/readyz", this::ready);
              config.routes.get(
                  "/metrics",
                  ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
              config.routes.get(
                  "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
              config.routes.get("/api/v1/state", this::state);
              config.routes.get("/api/v1/migrations", this::migrations);
              config.routes.get("/api/v1/migrations/{id}", this::migration);
              config.routes.post("/api/v1/migrations/{id}/transitions", this::transition);
              config.routes.get("/api/v1/audit", this::audit);
              config.routes.get("/api/v1/migrations/{id}/usage", this::usage);
              jobs.ifPresent(
                  j -> {
                    config.routes.post("/api/v1/migrations/{id}/jobs", j::start);
                    config.routes.get("/api/v1/jobs", j::list);
                    config.routes.get("/api/v1/jobs/{job}", j::show);
                    config.routes.post("/api/v1/jobs/{job}/cancel", j::cancel);
                    config.routes.post("/api/v1/jobs/{job}/limits", j::limits);
                  });
              config.routes.exception(
                  ApiError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.warn("admin API: {} {} failed", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal", e.toString());
                  });
              config.routes.error(
                  404,
                  "*",
                  ctx -> {
                    if (ctx.result() == null
                        || ctx.result().isEmpty()
                        || !ctx.result().startsWith("{")) {
                      error(
                          ctx,
                          404,
                          "not_found",
                          "no such endpoint: " + ctx.method() + " " + ctx.path());
                    }
                  });
            });
  }

  public AdminApi start() {
    app.start();
    return this;
  }

  /** Where it listens (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return new InetSocketAddress(app.jettyServer().server().getURI().getHost(), app.port());
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    app.stop();
  }

  // ---------------------------------------------------------------- handlers

  private void authenticate(Context ctx) {
    String path = ctx.path();
    if (path.equals("/healthz") || path.equals("/readyz")) {
      return; // probes carry no token
    }
    boolean change = ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    if (!change && openReads) {
      return;
    }
    if (!token.accepts(ctx.header("Authorization"))) {
      counter("unauthorized").increment();
      log.warn(
          "admin API: {} {} from {} refused: {}",
          ctx.method(),
          path,
          ctx.ip(),
          ctx.header("Authorization") == null ? "no token" : "wrong token");
      throw new ApiError(
          401,
          "unauthorized",
          ctx.header("Authorization") == null
              ? "this call needs the admin token: Authorization: Bearer <token>"
              : "the admin token is wrong");
    }
  }

  private void health(Context ctx) {
    StateFollower.Health h = follower.health();
    ObjectNode body = json.createObjectNode();
    body.put("status", h.connected() ? "ok" : "degraded");
    body.put("instance", instanceId);
    ObjectNode s = body.putObject("state_store");
    s.put("connected", h.connected());
    s.put("applied_version", h.appliedVersion());
    s.put("ever_loaded", h.everLoaded());
    s.put("serving", h.everLoaded() ? "last proven state" : "pass-through (no state proven yet)");
    h.lastLoad().ifPresent(t -> s.put("last_load", t.toString()));
    h.lastError().ifPresent(e -> s.put("last_error", e));
    send(ctx, 200, body);
  }

  private void ready(Context ctx) {
    StateFollower.Health h = follower.health();
    boolean ready = h.connected() && h.everLoaded();
    ObjectNode body = json.createObjectNode();
    body.put("ready", ready);
    body.put("state_store", h.connected() ? "reachable" : "unreachable");
    body.put("applied_version", h.appliedVersion());
    send(ctx, ready ? 200 : 503, body);
  }

  /**
   * {@code ?wait_version=N} holds the answer until this instance applies version N (a long poll:
   * whoever made a change learns when an instance acts on it without polling in a loop), for at
   * most {@code timeout_ms}, capped at this many milliseconds to bound the Jetty threads it holds.
   * The answer is the same either way; its {@code applied_version} tells whether N was reached.
   */
  static final long MAX_WAIT_MILLIS = 10_000;

  /** How long a transition's answer waits for this instance to apply it. */
  static final long APPLY_WAIT_MILLIS = 5_000;

  private void state(Context ctx) throws InterruptedException {
    String wait = ctx.queryParam("wait_version");
    if (wait != null) {
      long version = nonNegativeLong("wait_version", wait);
      String timeout = ctx.queryParam("timeout_ms");
      long millis = timeout == null ? MAX_WAIT_MILLIS : nonNegativeLong("timeout_ms", timeout);
      follower.awaitVersion(version, Duration.ofMillis(Math.min(millis, MAX_WAIT_MILLIS)));
    }
    ObjectNode body = json.createObjectNode();
    body.put("instance", instanceId);
    body.put("applied_version", follower.appliedVersion());
    send(ctx, 200, body);
  }

  private void migrations(Context ctx) throws SQLException {
    StoredState stored = load();
    ObjectNode body = json.createObjectNode();
    body.put("version", stored.version());
    ArrayNode list = body.putArray("migrations");
    for (Migration m : plan) {
      list.add(migrationJson(m, stored.record(m.id())));
    }
    send(ctx, 200, body);
  }

  private void migration(Context ctx) throws SQLException {
    Migration m = known(ctx.pathParam("id"));
    send(ctx, 200, migrationJson(m, load().record(m.id())));
  }

  private void transition(Context ctx) throws SQLException, InterruptedException {
    String id = ctx.pathParam("id");
    known(id);
    JsonNode body = ApiJson.parseBody(ctx, "{\"action\": \"rollback\"}");
    Request request = request(body);
    OptionalLong expected = OptionalLong.empty();
    if (body.has("expected_version")) {
      JsonNode v = body.get("expected_version");
      if (!v.canConvertToLong() || !v.isIntegralNumber()) {
        throw new ApiError(400, "bad_request", "expected_version must be an integer, was " + v);
      }
      expected = OptionalLong.of(v.asLong());
    }
    String actor = actor(ctx);
    try {
      Transitions.Outcome outcome =
          transitions.apply(id, request, expected, 0, actor, Optional.of(ctx.ip()));
      if (outcome.changed()) {
        counter("changed").increment();
      }
      ObjectNode out = json.createObjectNode();
      out.put("changed", outcome.changed());
      out.put("reason", outcome.reason());
      // Answer once this instance obeys the change, so a rollback that returned is in force here
      // (other instances follow within their notification delay; GET /api/v1/state tells).
      out.put(
          "applied_here",
          follower.awaitVersion(outcome.record().version(), Duration.ofMillis(APPLY_WAIT_MILLIS)));
      out.set("migration", migrationJson(known(id), outcome.record()));
      send(ctx, 200, out);
    } catch (TransitionRefusedException e) {
      counter("refused").increment();
      send(ctx, 409, refusal(e));
    } catch (ConflictException e) {
      counter("conflict").increment();
      ObjectNode out = errorBody("conflict", e.getMessage());
      out.put("expected_version", e.expectedVersion());
      out.put("actual_version", e.actualVersion());
      send(ctx, 409, out);
    } catch (UnknownMigrationException e) {
      throw new ApiError(404, "unknown_migration", e.getMessage());
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private void usage(Context ctx) {
    Migration m = known(ctx.pathParam("id"));
    UsageReport report;
    try {
      report = store.usage(m.id());
    } catch (SQLException e) {
      throw unavailable(e);
    }
    ObjectNode body = json.createObjectNode();
    body.put("migration", m.id());
    body.put("old_statements", report.statements(NameUse.OLD));
    body.put("new_statements", report.statements(NameUse.NEW));
    report.lastSeen(NameUse.OLD).ifPresent(t -> body.put("old_last_seen", t.toString()));
    report.lastSeen(NameUse.NEW).ifPresent(t -> body.put("new_last_seen", t.toString()));
    ArrayNode rows = body.putArray("rows");
    for (UsageRow r : report.rows()) {
      ObjectNode n = rows.addObject();
      n.put("names", r.names().sql());
      n.put("application_name", r.applicationName());
      n.put("role", r.role());
      n.put("client_address", r.clientAddress());
      n.put("statements", r.statements());
      n.put("first_seen", r.firstSeen().toString());
      n.put("last_seen", r.lastSeen().toString());
    }
    send(ctx, 200, body);
  }

  private void audit(Context ctx) throws SQLException {
    Optional<String> id = Optional.ofNullable(ctx.queryParam("migration"));
    if (id.isPresent()) {
      known(id.get());
    }
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 10_000) {
        throw new ApiError(400, "bad_request", "limit must be 1..10000, was '" + l + "'");
      }
    }
    List<AuditEntry> entries;
    try {
      entries = store.audit(id, limit);
    } catch (SQLException e) {
      throw unavailable(e);
    }
    ObjectNode body = json.createObjectNode();
    ArrayNode list = body.putArray("entries");
    for (AuditEntry a : entries) {
      ObjectNode n = list.addObject();
      n.put("id", a.id());
      n.put("at", a.at().toString());
      n.put("migration", a.migrationId());
      n.put("action", a.action());
      n.put("actor", a.actor());
      a.clientAddress().ifPresent(c -> n.put("client_address", c));
      n.put("from_phase", a.fromPhase());
      n.put("to_phase", a.toPhase());
      n.put("from_read_percent", a.fromReadPercent());
      n.put("to_read_percent", a.toReadPercent());
      n.put("from_shadow_percent", a.fromShadowPercent());
      n.put("to_shadow_percent", a.toShadowPercent());
      a.reason().ifPresent(r -> n.put("reason", r));
      n.put("version", a.version());
    }
    send(ctx, 200, body);
  }

  // ---------------------------------------------------------------- helpers

  private static long nonNegativeLong(String name, String text) {
    try {
      long v = Long.parseLong(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiError(
        400, "bad_request", name + " must be a whole number >= 0, was '" + text + "'");
  }

  private static Request request(JsonNode body) {
    JsonNode a = body.get("action");
    if (a == null || !a.isTextual()) {
      throw new ApiError(400, "bad_request", "\"action\" is required: one of " + actionNames());
    }
    Action action;
    try {
      action = Action.valueOf(a.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ApiError(
          400, "bad_request", "unknown action '" + a.asText() + "': one of " + actionNames());
    }
    if (!OPERATOR_ACTIONS.contains(action)) {
      throw new ApiError(
          400,
          "bad_request",
          "action '"
              + action.wireName()
              + "' is the result of a job (its DDL or batches), not a state to set; one of "
              + actionNames());
    }
    int percent = 0;
    if (action == Action.READS || action == Action.SHADOW) {
      JsonNode p = body.get("percent");
      if (p == null || !p.isIntegralNumber()) {
        throw new ApiError(
            400,
            "bad_request",
            "\"percent\" (an integer 0..100) is required for " + action.wireName());
      }
      if (p.asLong() < 0 || p.asLong() > 100) {
        throw new ApiError(400, "bad_request", "percent must be 0..100, was " + p.asText());
      }
      percent = p.asInt();
    }
    return new Request(action, percent, Optional.empty());
  }

  private static String actionNames() {
    StringBuilder sb = new StringBuilder();
    for (Action a : OPERATOR_ACTIONS) {
      sb.append(sb.length() == 0 ? "" : ", ").append(a.wireName());
    }
    return sb.toString();
  }

  private Migration known(String id) {
    try {
      return transitions.migration(id);
    } catch (UnknownMigrationException e) {
      throw new ApiError(404, "unknown_migration", e.getMessage());
    }
  }

  private StoredState load() {
    try {
      return store.load();
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /** Who a change is recorded as coming from: the CLI sends the operator's login. */
  static String actor(Context ctx) {
    return Optional.ofNullable(ctx.header("X-Turnout-Actor"))
        .filter(a -> !a.isBlank())
        .orElse("api");
  }

  /** A guard's refusal as a 409 body: the guard, what it measured, and its limit. */
  static ObjectNode refusal(TransitionRefusedException e) {
    Refused r = e.refusal();
    ObjectNode out = ApiJson.errorBody("refused", e.getMessage());
    out.put("guard", r.guard().wireName());
    out.put("measured", r.measured());
    out.put("limit", r.limit());
    return out;
  }

  static ApiError unavailable(SQLException e) {
    return new ApiError(
        503,
        "state_store_unavailable",
        "the state store is unreachable, so no change is accepted (" + e.getMessage() + ")");
  }

  private ObjectNode migrationJson(Migration m, MigrationRecord r) {
    ObjectNode n = json.createObjectNode();
    n.put("id", m.id());
    n.put("kind", m.kind());
    n.put("table", m.table().qualified());
    n.put("phase", r.phase().name().toLowerCase(Locale.ROOT));
    n.put("read_percent", r.effectiveReadPercent());
    n.put("shadow_percent", r.shadowPercent());
    n.put("version", r.version());
    if (r.version() > 0) {
      n.put("phase_since", r.phaseSince().toString());
    }
    r.backfilledAt().ifPresent(t -> n.put("backfilled_at", t.toString()));
    r.verifiedAt().ifPresent(t -> n.put("verified_at", t.toString()));
    if (r.drift().isPresent()) {
      n.put("drift", r.drift().getAsLong());
    }
    return n;
  }

  private ObjectNode errorBody(String code, String message) {
    return ApiJson.errorBody(code, message);
  }

  private void error(Context ctx, int status, String code, String message) {
    send(ctx, status, errorBody(code, message));
  }

  private void send(Context ctx, int status, JsonNode body) {
    ApiJson.send(ctx, status, body);
  }

  private Counter counter(String outcome) {
    return Counter.builder("turnout_admin_requests_total")
        .description("Admin API change requests by outcome")
        .tag("outcome", outcome)
        .register(metrics);
  }

  private static String resource(String name) {
    try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
