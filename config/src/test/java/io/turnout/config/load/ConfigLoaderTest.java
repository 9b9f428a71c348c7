package io.turnout.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.FlagSettings;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TlsSettings;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  private static final String SOURCE = "turnout.yaml";
  private static final String BACKENDS =
      """
      backends:
        primary: postgresql://app@127.0.0.1:5432/app
      """;

  private static final ConfigLoader LOADER =
      new ConfigLoader(Map.of("TURNOUT_ADMIN_TOKEN", "s3cret", "PGPASSWORD", "pw"));

  private static TurnoutConfig load(String yaml) throws ConfigException {
    return LOADER.load(yaml, SOURCE);
  }

  /** The problems a file has, each as printed: {@code turnout.yaml:L:C: path: message}. */
  private static List<String> problems(String yaml) {
    try {
      LOADER.load(yaml, SOURCE);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but the file loaded");
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/" + name).toURI());
  }

  // ------------------------------------------------------------------ files that load

  @Test
  void load_designExample_givesBothMigrationsWithDefaults() throws Exception {
    TurnoutConfig c = LOADER.load(resource("design-example.yaml"));

    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 6432));
    assertThat(c.admin())
        .isEqualTo(new AdminSettings(new HostPort("127.0.0.1", 9090), Optional.of("s3cret")));
    assertThat(c.defaultBackend()).isEqualTo("primary");
    assertThat(c.defaultBackendUrl().toString()).isEqualTo("postgresql://app@127.0.0.1:5432/app");
    assertThat(c.migrations()).hasSize(2);

    RenameColumn rename = (RenameColumn) c.migration("rename-email").orElseThrow();
    assertThat(rename)
        .isEqualTo(
            new RenameColumn(
                "rename-email",
                "primary",
                new TableName("public", "users"),
                "email",
                "email_address",
                ReadPolicy.DEFAULT,
                ShadowPolicy.DEFAULT,
                UnanalysablePolicy.DEFAULT));

    TransformColumn split = (TransformColumn) c.migration("split-name").orElseThrow();
    assertThat(split.backend()).isEqualTo("primary");
    assertThat(split.oldColumns()).containsExactly("name");
    assertThat(split.newColumns()).containsExactly("first_name", "last_name");
    assertThat(split.forward().keySet()).containsExactly("first_name", "last_name");
    assertThat(split.forward().get("first_name")).isEqualTo("split_part(name, ' ', 1)");
    assertThat(split.backward())
        .containsExactly(Map.entry("name", "concat_ws(' ', first_name, last_name)"));
    assertThat(split.reads()).isEqualTo(ReadPolicy.DEFAULT);
    assertThat(split.shadow()).isEqualTo(new ShadowPolicy(0.1, 0.001));
    assertThat(split.onUnanalysable()).isEqualTo(UnanalysablePolicy.DEFAULT);
    assertThat(split.contract()).isEqualTo(ContractPolicy.DEFAULT);
    assertThat(split.contract().soak()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void load_onlyBackends_usesEveryDefault() throws Exception {
    TurnoutConfig c = load(BACKENDS);

    assertThat(c.listen()).isEqualTo(TurnoutConfig.DEFAULT_LISTEN);
    assertThat(c.listen()).hasToString("127.0.0.1:6432");
    assertThat(c.admin()).isEqualTo(AdminSettings.DEFAULTS);
    assertThat(c.admin().listen()).hasToString("127.0.0.1:9090");
    assertThat(c.admin().token()).isEmpty();
    assertThat(c.admin().enabled()).isFalse();
    assertThat(c.proxy()).isEqualTo(ProxyLimits.DEFAULTS);
    assertThat(c.proxy().maxClientConnections()).isEqualTo(1000);
    assertThat(c.proxy().maxMessageSize()).isEqualTo(64 * 1024 * 1024);
    assertThat(c.proxy().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.proxy().idleTimeout()).isEqualTo(Duration.ZERO);
    assertThat(c.proxy().idleTimeoutEnabled()).isFalse();
    assertThat(c.proxy().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.tls()).isEmpty();
    assertThat(c.flags()).isEqualTo(FlagSettings.DEFAULTS);
    assertThat(c.migrations()).isEmpty();
  }

  @Test
  void load_everySetting_readsEachValue() throws Exception {
    TurnoutConfig c = new ConfigLoader(Map.of("PGPASSWORD", "pw")).load(resource("full.yaml"));

    assertThat(c.listen()).isEqualTo(new HostPort("::1", 7432));
    assertThat(c.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9191));
    assertThat(c.admin().token()).contains("dev-token");
    assertThat(c.admin().enabled()).isTrue();
    assertThat(c.admin().openReads()).isTrue();
    Path dir = resource("full.yaml").getParent();
    assertThat(c.admin().tls())
        .contains(
            new TlsSettings(dir.resolve("certs/admin.crt"), Path.of("/etc/turnout/admin.key")));
    assertThat(c.backends().keySet()).containsExactly("blue", "green");
    assertThat(c.defaultBackend()).isEqualTo("blue");
    BackendUrl blue = c.backends().get("blue");
    assertThat(blue.password()).contains("pw");
    assertThat(blue.port()).isEqualTo(5433);
    assertThat(blue.params()).containsExactly(Map.entry("sslmode", "require"));
    assertThat(c.backends().get("green").port()).isEqualTo(5432);
    assertThat(c.proxy())
        .isEqualTo(
            new ProxyLimits(
                250,
                16 << 20,
                Duration.ofMillis(250),
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                3));
    assertThat(c.flags())
        .isEqualTo(
            new FlagSettings(
                FlagSettings.Provider.UNLEASH,
                Optional.of(
                    new FlagSettings.Unleash(
                        "https://unleash.internal/api",
                        Optional.of("client-token"),
                        "turnout-eu",
                        Optional.of(dir.resolve("flags/bootstrap.json")),
                        Duration.ofSeconds(30)))));
    assertThat(c.tls())
        .contains(
            new TlsSettings(dir.resolve("certs/server.crt"), Path.of("/etc/turnout/server.key")));

    RenameColumn r = (RenameColumn) c.migrations().get(0);
    assertThat(r.table()).isEqualTo(new TableName("public", "users"));
    assertThat(r.from()).isEqualTo("email");
    assertThat(r.backend()).isEqualTo("green");
    assertThat(r.reads())
        .isEqualTo(
            new ReadPolicy(
                ReadPolicy.Stickiness.KEY_COLUMN,
                Optional.of("id"),
                Optional.of("turnout.rename-email")));
    assertThat(r.shadow()).isEqualTo(new ShadowPolicy(0.25, 0.0));
    assertThat(r.onUnanalysable())
        .isEqualTo(
            new UnanalysablePolicy(
                UnanalysablePolicy.ReadAction.REJECT, UnanalysablePolicy.WriteAction.PASS));
    assertThat(r.contract()).isEqualTo(new ContractPolicy(Duration.ZERO));

    TransformColumn t = (TransformColumn) c.migrations().get(1);
    assertThat(t.backend()).isEqualTo("blue");
    assertThat(t.table()).isEqualTo(new TableName("shop", "orders"));
    assertThat(t.reads().sticky()).isEqualTo(ReadPolicy.Stickiness.APPLICATION_NAME);
    assertThat(t.reads().toggle()).isEmpty();
    assertThat(t.contract()).isEqualTo(new ContractPolicy(Duration.ofDays(3)));
    assertThat(c.migrationsOn("blue")).containsExactly(t);
  }

  @Test
  void load_singleBackendNotNamedPrimary_isTheDefault() throws Exception {
    TurnoutConfig c =
        load(
            """
            backends:
              main: postgresql://app@db/app
            migrations:
              - { id: r, kind: rename_column, table: users, from: a, to: b }
            """);

    assertThat(c.defaultBackend()).isEqualTo("main");
    assertThat(c.migrations().get(0).backend()).isEqualTo("main");
  }

  @Test
  void load_severalBackendsOneNamedPrimary_primaryIsTheDefault() throws Exception {
    TurnoutConfig c =
        load(
            """
            backends:
              replica: postgresql://app@db2/app
              primary: postgresql://app@db1/app
            """);

    assertThat(c.defaultBackend()).isEqualTo("primary");
  }

  @Test
  void load_quotedNames_keepTheirCase() throws Exception {
    TurnoutConfig c =
        load(
            BACKENDS
                + """
                migrations:
                  - id: r
                    kind: rename_column
                    table: '"App"."Users"'
                    from: '"eMail"'
                    to: EmailAddress
                """);

    RenameColumn r = (RenameColumn) c.migrations().get(0);
    assertThat(r.table()).isEqualTo(new TableName("App", "Users"));
    assertThat(r.from()).isEqualTo("eMail");
    assertThat(r.to()).isEqualTo("emailaddress");
  }

  @Test
  void load_fromPath_namesTheFileInProblems(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("turnout.yaml");
    Files.writeString(file, "listen: nowhere\n" + BACKENDS);

    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ":1:9: listen: 'nowhere': expected HOST:PORT, e.g. 127.0.0.1:6432");
  }

  @Test
  void load_missingFile_saysSo(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": no such file");
  }

  @Test
  void load_notUtf8_saysSo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});

    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file))
        .hasMessage(file + ": is not valid UTF-8");
  }

  // ------------------------------------------------------------------ environment

  @Test
  void load_envVariable_isSubstitutedInValues() throws Exception {
    TurnoutConfig c =
        new ConfigLoader(Map.of("DB_HOST", "db.internal", "PORT", "7000"))
            .load(
                """
                listen: 0.0.0.0:${PORT}
                backends:
                  primary: postgresql://app@${DB_HOST}/app
                """,
                SOURCE);

    assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 7000));
    assertThat(c.defaultBackendUrl().host()).isEqualTo("db.internal");
  }

  @Test
  void load_unsetVariableWithDefault_usesDefault() throws Exception {
    TurnoutConfig c =
        new ConfigLoader(Map.of())
            .load("admin: { token: \"${TOKEN:-fallback}\" }\n" + BACKENDS, SOURCE);

    assertThat(c.admin().token()).contains("fallback");
  }

  @Test
  void load_unsetVariableWithoutDefault_namesLineAndVariable() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of())
                    .load(BACKENDS + "admin: { token: \"${TURNOUT_ADMIN_TOKEN}\" }\n", SOURCE))
        .hasMessage(
            "turnout.yaml:3:17: admin.token: environment variable TURNOUT_ADMIN_TOKEN is not set"
                + " (write ${TURNOUT_ADMIN_TOKEN:-default} to give a default)");
  }

  @Test
  void load_emptyTokenFromEnvironment_isRefusedLikeNoToken() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of("T", ""))
                    .load("admin: { token: \"${T}\" }\n" + BACKENDS, SOURCE))
        .hasMessage(
            "turnout.yaml:1:17: admin.token: a token is required: the admin API accepts no change"
                + " without one (set token: \"${TURNOUT_ADMIN_TOKEN}\")");
  }

  @Test
  void load_variableInKey_isNotSubstituted() {
    assertThat(problems(BACKENDS + "${X}: 1\n"))
        .containsExactly(
            "turnout.yaml:3:1: ${X}: unknown key '${X}' (expected listen, admin, backends,"
                + " default_backend, proxy, tls, flags or migrations)");
  }

  // ------------------------------------------------------------------ problems

  @Test
  void load_unknownKind_namesLineAndField() {
    assertThat(
            problems(
                BACKENDS
                    + """
                    migrations:
                      - id: rename-email
                        kind: rename_colum
                        table: public.users
                        from: email
                        to: email_address
                    """))
        .containsExactly(
            "turnout.yaml:5:11: migrations[0].kind: unknown kind 'rename_colum' (expected"
                + " rename_column or transform_column)");
  }

  @Test
  void load_manyProblems_reportsAllInFileOrder() {
    List<String> found =
        problems(
            """
            listen: localhost
            backends:
              primary: postgresql://app@127.0.0.1:99999/app
            proxy: { connect_timeout: 5, max_mesage_size: 1MB }
            migrations:
              - { id: a, kind: rename_column, table: users, from: x, to: x }
              - { id: a, kind: rename_column, table: users, from: y, to: z, backend: replica }
            """);

    assertThat(found)
        .containsExactly(
            "turnout.yaml:1:9: listen: 'localhost': expected HOST:PORT, e.g. 127.0.0.1:6432",
            "turnout.yaml:3:12: backends.primary: 'postgresql://app@127.0.0.1:99999/app': port"
                + " 99999 is out of range (1..65535)",
            "turnout.yaml:4:27: proxy.connect_timeout: '5' needs a unit (ms, s, min, h or d), e.g."
                + " 5s",
            "turnout.yaml:4:30: proxy.max_mesage_size: unknown key 'max_mesage_size' (did you"
                + " mean 'max_message_size'?)",
            "turnout.yaml:6:62: migrations[0].to: 'x' is the same column as from; a rename needs"
                + " a new name",
            "turnout.yaml:7:11: migrations[1].id: duplicate id 'a' (first used by migrations[0] at"
                + " line 6)",
            "turnout.yaml:7:74: migrations[1].backend: unknown backend 'replica' (backends:"
                + " primary)");
  }

  @Test
  void load_problem_carriesSourceLineColumnPathAndMessage() {
    try {
      load(BACKENDS + "listen: 1.2.3.4:x\n");
      throw new AssertionError("expected a problem");
    } catch (ConfigException e) {
      assertThat(e.problems())
          .containsExactly(
              new ConfigProblem(SOURCE, 3, 9, "listen", "'1.2.3.4:x': port 'x' is not a number"));
    }
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        // ---- YAML itself
        bad(
            "yamlSyntax_namesLineOfTheError",
            "backends:\n  primary: postgresql://app@h/app\n  - x\n",
            "turnout.yaml:3:3: YAML syntax error: expected <block end>, but found '-' (while"
                + " parsing a block mapping started at line 2)"),
        bad(
            "yamlTab_namesLine",
            "backends:\n\tprimary: x\n",
            "turnout.yaml:2:1: YAML syntax error: found character '\\t(TAB)' that cannot start any"
                + " token. (Do not use \\t(TAB) for indentation) (while scanning for the next"
                + " token)"),
        bad(
            "topLevelList_isRefused",
            "- a\n- b\n",
            "turnout.yaml:1:1: expected a mapping of settings (listen:, backends:, migrations: …),"
                + " found a list"),
        bad(
            "emptyFile_needsBackends",
            "",
            "turnout.yaml:1:1: missing required key 'backends': at least one backend is required,"
                + " e.g. backends: { primary: postgresql://app@127.0.0.1:5432/app }"),
        bad(
            "duplicateKey_namesFirstLine",
            BACKENDS + "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n",
            "turnout.yaml:4:1: listen: duplicate key 'listen' (first at line 3)"),
        bad(
            "unknownTopLevelKey_suggestsNearMiss",
            BACKENDS + "lisen: 127.0.0.1:6432\n",
            "turnout.yaml:3:1: lisen: unknown key 'lisen' (did you mean 'listen'?)"),
        bad(
            "mergeKey_saysMergeKeysAreNotSupported",
            BACKENDS + "admin: { <<: {listen: 127.0.0.1:1}, token: t }\n",
            "turnout.yaml:3:10: admin.<<: unknown key '<<' (YAML merge keys are not supported;"
                + " repeat the settings)"),
        // ---- listen / admin
        bad(
            "listenWithoutBrackets_forIpv6_showsTheFix",
            BACKENDS + "listen: ::1:6432\n",
            "turnout.yaml:3:9: listen: '::1:6432': put an IPv6 address in brackets, e.g."
                + " [::1]:6432"),
        bad(
            "listenAsNumber_needsHost",
            BACKENDS + "listen: :6432\n",
            "turnout.yaml:3:9: listen: ':6432': host is missing (use 0.0.0.0:6432 for every"
                + " interface)"),
        bad(
            "listenAsList_isWrongType",
            BACKENDS + "listen: [127.0.0.1, 6432]\n",
            "turnout.yaml:3:9: listen: expected HOST:PORT, found a list"),
        bad(
            "adminOnAllInterfacesWithoutToken_isRefused",
            BACKENDS + "admin:\n  listen: 0.0.0.0:9090\n",
            "turnout.yaml:4:3: admin.token: a token is required: the admin API accepts no change"
                + " without one, and it listens on 0.0.0.0:9090, which is not a loopback address:"
                + " anyone who reaches it could change routing (set token:"
                + " \"${TURNOUT_ADMIN_TOKEN}\")"),
        bad(
            "adminAsScalar_isWrongType",
            BACKENDS + "admin: 127.0.0.1:9090\n",
            "turnout.yaml:3:8: admin: expected a mapping with listen:, token:, open_reads: and"
                + " tls:, found '127.0.0.1:9090'"),
        // ---- backends
        bad(
            "noBackends_isRefused",
            "backends: {}\n",
            "turnout.yaml:1:11: backends: at least one backend is required, e.g. primary:"
                + " postgresql://app@127.0.0.1:5432/app"),
        bad(
            "backendJdbcUrl_showsTheLibpqForm",
            "backends:\n  primary: jdbc:postgresql://db/app\n",
            "turnout.yaml:2:12: backends.primary: 'jdbc:postgresql://db/app': write a libpq URL"
                + " without 'jdbc:', e.g. postgresql://app@db:5432/app"),
        bad(
            "backendUrlError_neverPrintsPassword",
            "backends:\n  primary: postgresql://app:hunter2@db:x/app\n",
            "turnout.yaml:2:12: backends.primary: 'postgresql://app:***@db:x/app': port 'x' is"
                + " not a number"),
        bad(
            "backendWithoutUrl_needsOne",
            "backends:\n  primary:\n",
            "turnout.yaml:2:3: backends.primary: needs a URL, e.g."
                + " postgresql://app@127.0.0.1:5432/app"),
        bad(
            "severalBackendsNoneNamedPrimary_needsDefault",
            "backends:\n  blue: postgresql://a@b/c\n  green: postgresql://a@d/c\n",
            "turnout.yaml:2:3: backends: with several backends, name one 'primary' or set"
                + " default_backend (backends: blue, green)"),
        bad(
            "defaultBackendUnknown_suggestsNearMiss",
            "backends:\n  blue: postgresql://a@b/c\n  green: postgresql://a@d/c\n"
                + "default_backend: gren\n",
            "turnout.yaml:4:18: default_backend: unknown backend 'gren' (backends: blue, green;"
                + " did you mean 'green'?)"),
        // ---- proxy limits
        bad(
            "maxMessageSizeWrongCase_suggestsUnit",
            BACKENDS + "proxy:\n  max_message_size: 64mb\n",
            "turnout.yaml:4:21: proxy.max_message_size: '64mb': unknown unit 'mb' (expected B,"
                + " kB, MB, GB or TB; units are case-sensitive, did you mean 'MB'?)"),
        bad(
            "maxMessageSizeOver1GB_isOutOfRange",
            BACKENDS + "proxy:\n  max_message_size: 2GB\n",
            "turnout.yaml:4:21: proxy.max_message_size: '2GB' is out of range (8kB..1GB;"
                + " PostgreSQL refuses messages over 1GB)"),
        bad(
            "maxClientConnectionsZero_isOutOfRange",
            BACKENDS + "proxy:\n  max_client_connections: 0\n",
            "turnout.yaml:4:27: proxy.max_client_connections: 0 is out of range (1..1000000)"),
        bad(
            "maxClientConnectionsText_isNotANumber",
            BACKENDS + "proxy:\n  max_client_connections: many\n",
            "turnout.yaml:4:27: proxy.max_client_connections: expected a whole number, found"
                + " 'many'"),
        bad(
            "durationMinutesAsM_pointsToMin",
            BACKENDS + "proxy:\n  idle_timeout: 5m\n",
            "turnout.yaml:4:17: proxy.idle_timeout: '5m': unknown unit 'm' (expected ms, s, min, h"
                + " or d; minutes are 'min')"),
        bad(
            "connectTimeoutZero_isRefused",
            BACKENDS + "proxy:\n  connect_timeout: 0\n",
            "turnout.yaml:4:20: proxy.connect_timeout: must be more than 0"),
        bad(
            "negativeDuration_isRefused",
            BACKENDS + "proxy:\n  shutdown_grace: -1s\n",
            "turnout.yaml:4:19: proxy.shutdown_grace: '-1s' must not be negative"),
        bad(
            "workerThreadsNegative_isRefused",
            BACKENDS + "proxy:\n  worker_threads: -1\n",
            "turnout.yaml:4:19: proxy.worker_threads: '-1' must not be negative"),
        bad(
            "workerThreadsHuge_isOutOfRange",
            BACKENDS + "proxy:\n  worker_threads: 5000\n",
            "turnout.yaml:4:19: proxy.worker_threads: 5000 is out of range (0..1024)"),
        // ---- tls
        bad(
            "tlsWithoutKey_needsKey",
            BACKENDS + "tls:\n  cert: server.crt\n",
            "turnout.yaml:4:3: tls: missing required key 'key': the PEM private key file"),
        // ---- migrations: shape
        bad(
            "migrationsAsMapping_isWrongType",
            BACKENDS + "migrations:\n  id: x\n",
            "turnout.yaml:4:3: migrations: expected a list of migrations (- id: …), found a"
                + " mapping"),
        bad(
            "migrationWithoutKind_namesMissingKey",
            BACKENDS + "migrations:\n  - id: x\n    table: t\n",
            "turnout.yaml:4:5: migrations[0]: missing required key 'kind': rename_column or"
                + " transform_column"),
        bad(
            "migrationIdWithSpace_isRefused",
            BACKENDS
                + "migrations:\n  - { id: split name, kind: rename_column, table: t, from: a,"
                + " to: b }\n",
            "turnout.yaml:4:11: migrations[0].id: id 'split name' may use only letters, digits,"
                + " '-', '_' and '.', start with a letter or digit, and be at most 63 characters"
                + " (it is typed on the command line)"),
        bad(
            "unknownMigrationKey_suggestsNearMiss",
            BACKENDS + "migrations:\n  - { id: r, kind: rename_column, table: t, frm: a, to: b }\n",
            "turnout.yaml:4:5: migrations[0]: missing required key 'from': the column's current"
                + " name",
            "turnout.yaml:4:45: migrations[0].frm: unknown key 'frm' (did you mean 'from'?)"),
        bad(
            "keyOfOtherKind_saysWhichKindUsesIt",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " old: [a] }\n",
            "turnout.yaml:4:61: migrations[0].old: unknown key 'old': 'old' belongs to kind"
                + " transform_column, not rename_column"),
        bad(
            "tableWithThreeParts_isRefused",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: db.public.t, from: a,"
                + " to: b }\n",
            "turnout.yaml:4:42: migrations[0].table: 'db.public.t' has too many parts (expected"
                + " table or schema.table)"),
        bad(
            "renameFromEqualsToAfterFolding_isRefused",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: Email, to:"
                + " email }\n",
            "turnout.yaml:4:62: migrations[0].to: 'email' is the same column as from; a rename"
                + " needs a new name"),
        bad(
            "unknownBackend_suggestsNearMiss",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " backend: primry }\n",
            "turnout.yaml:4:70: migrations[0].backend: unknown backend 'primry' (backends:"
                + " primary; did you mean 'primary'?)"),
        bad(
            "duplicateMigrationId_namesFirstUse",
            BACKENDS
                + "migrations:\n"
                + "  - { id: r, kind: rename_column, table: users, from: a, to: b }\n"
                + "  - { id: r, kind: rename_column, table: orders, from: a, to: b }\n",
            "turnout.yaml:5:11: migrations[1].id: duplicate id 'r' (first used by migrations[0] at"
                + " line 4)"),
        bad(
            "forwardColumnTwiceAfterFolding_isRefused",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: [name]
                    new: [first_name]
                    forward: { first_name: "name", First_Name: "name" }
                    backward: { name: "first_name" }
                """,
            "turnout.yaml:9:36: migrations[0].forward.first_name: column 'first_name' is given"
                + " twice"),
        bad(
            "twoMigrationsOnOneColumn_areRefused",
            BACKENDS
                + "migrations:\n"
                + "  - { id: r1, kind: rename_column, table: users, from: email, to: mail }\n"
                + "  - { id: r2, kind: rename_column, table: public.users, from: email, to: e }\n",
            "turnout.yaml:5:43: migrations[1].table: column public.users.email is also changed by"
                + " migration 'r1' (line 4); run one migration per column at a time"),
        // ---- migrations: policies
        bad(
            "unknownSticky_listsChoices",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " reads: { sticky: sesion } }\n",
            "turnout.yaml:4:78: migrations[0].reads.sticky: unknown sticky 'sesion' (expected"
                + " session, application_name, role, sticky_key or key_column)"),
        bad(
            "keyColumnStickyWithoutColumn_needsIt",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " reads: { sticky: key_column } }\n",
            "turnout.yaml:4:68: migrations[0].reads: missing required key 'key_column': required"
                + " with sticky: key_column (the column whose value keys each read, e.g. id)"),
        bad(
            "keyColumnWithOtherSticky_isRefused",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " reads: { key_column: id } }\n",
            "turnout.yaml:4:82: migrations[0].reads.key_column: only used with sticky: key_column"
                + " (sticky is session)"),
        bad(
            "keyColumnIsMigrated_isRefused",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " reads: { sticky: key_column, key_column: a } }\n",
            "turnout.yaml:4:102: migrations[0].reads.key_column: 'a' is changed by this migration;"
                + " key reads by a stable column such as the primary key"),
        bad(
            "shadowSampleAbove1_suggestsPercent",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " shadow: { sample: 10 } }\n",
            "turnout.yaml:4:79: migrations[0].shadow.sample: '10' is out of range (a fraction"
                + " 0..1; for 10 percent write 10%)"),
        bad(
            "shadowPercentAbove100_isOutOfRange",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " shadow: { max_mismatch_rate: 150% } }\n",
            "turnout.yaml:4:90: migrations[0].shadow.max_mismatch_rate: '150%' is out of range"
                + " (0%..100%)"),
        bad(
            "shadowSampleNegative_isOutOfRange",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " shadow: { sample: -0.5 } }\n",
            "turnout.yaml:4:79: migrations[0].shadow.sample: '-0.5' is out of range (a fraction"
                + " 0..1)"),
        bad(
            "unknownWritesPolicy_listsChoices",
            BACKENDS
                + "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " on_unanalysable: { writes: allow } }\n",
            "turnout.yaml:4:88: migrations[0].on_unanalysable.writes: unknown writes 'allow'"
                + " (expected reject or pass)"),
        // ---- transform_column
        bad(
            "forwardMissingNewColumn_namesIt",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: [name]
                    new: [first_name, last_name]
                    forward: { first_name: "split_part(name, ' ', 1)" }
                    backward: { name: "first_name || ' ' || last_name" }
                """,
            "turnout.yaml:9:14: migrations[0].forward: no expression for new column 'last_name'"
                + " (forward must give every new column exactly once)"),
        bad(
            "forwardExtraColumn_suggestsNewColumn",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: [name]
                    new: [first_name]
                    forward: { first_name: "name", frist_name: "name" }
                    backward: { name: "first_name" }
                """,
            "turnout.yaml:9:36: migrations[0].forward.frist_name: 'frist_name' is not a new"
                + " column (new: first_name; did you mean 'first_name'?)"),
        bad(
            "backwardMissingOldColumn_namesIt",
            BACKENDS
                + """
                migrations:
                  - id: merge
                    kind: transform_column
                    table: users
                    old: [first_name, last_name]
                    new: [name]
                    forward: { name: "first_name || last_name" }
                    backward: { first_name: "name" }
                """,
            "turnout.yaml:10:15: migrations[0].backward: no expression for old column 'last_name'"
                + " (backward must give every old column exactly once)"),
        bad(
            "forwardReadsNewColumn_namesOffendingColumn",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: [name]
                    new: [first_name, last_name]
                    forward:
                      first_name: "split_part(name, ' ', 1)"
                      last_name: "replace(name, first_name, '')"
                    backward: { name: "concat_ws(' ', first_name, last_name)" }
                """,
            "turnout.yaml:11:18: migrations[0].forward.last_name: uses column 'first_name', which"
                + " is not an old column (a forward expression may read only the old columns:"
                + " name)"),
        bad(
            "backwardReadsOtherColumn_namesOffendingColumn",
            BACKENDS
                + """
                migrations:
                  - id: cents
                    kind: transform_column
                    table: orders
                    old: [price]
                    new: [price_cents]
                    forward: { price_cents: "(price * 100)::bigint" }
                    backward: { price: "price_cents / 100.0 + tax" }
                """,
            "turnout.yaml:10:24: migrations[0].backward.price: uses column 'tax', which is not a"
                + " new column (a backward expression may read only the new columns:"
                + " price_cents)"),
        bad(
            "expressionSyntaxError_saysWhere",
            BACKENDS
                + """
                migrations:
                  - id: cents
                    kind: transform_column
                    table: orders
                    old: [price]
                    new: [price_cents]
                    forward: { price_cents: "(price * 100)::bigint" }
                    backward: { price: "price_cents / / 100" }
                """,
            "turnout.yaml:10:24: migrations[0].backward.price: 'price_cents / / 100' does not"
                + " parse: unexpected '/' at character 15"),
        bad(
            "volatileForward_isRefused",
            BACKENDS
                + """
                migrations:
                  - id: token
                    kind: transform_column
                    table: users
                    old: [token]
                    new: [token_uuid]
                    forward: { token_uuid: "coalesce(token::uuid, gen_random_uuid())" }
                    backward: { token: "token_uuid::text" }
                """,
            "turnout.yaml:9:28: migrations[0].forward.token_uuid: the expression calls"
                + " gen_random_uuid(), which is volatile or time-dependent, so backfill and"
                + " dual-write would store different values"),
        bad(
            "newColumnSameAsOld_isRefused",
            BACKENDS
                + """
                migrations:
                  - id: retype
                    kind: transform_column
                    table: orders
                    old: [price]
                    new: [price]
                    forward: { price: "price::numeric" }
                    backward: { price: "price::text" }
                """,
            "turnout.yaml:8:11: migrations[0].new[0]: 'price' is also an old column; new columns"
                + " need new names (expand creates them next to the old ones)"),
        bad(
            "oldAsScalar_isWrongType",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: name
                    new: [first_name]
                    forward: { first_name: "name" }
                    backward: { name: "first_name" }
                """,
            "turnout.yaml:7:10: migrations[0].old: expected a list of column names like [name],"
                + " found 'name'"),
        bad(
            "columnListedTwice_isRefused",
            BACKENDS
                + """
                migrations:
                  - id: split
                    kind: transform_column
                    table: users
                    old: [name]
                    new: [a, A]
                    forward: { a: "name" }
                    backward: { name: "a" }
                """,
            "turnout.yaml:8:14: migrations[0].new[1]: column 'a' is listed twice"));
  }

  private static Arguments bad(String behaviour, String yaml, String... expected) {
    return Arguments.of(behaviour, yaml, List.of(expected));
  }

  @ParameterizedTest(name = "load_{0}")
  @MethodSource("invalidFiles")
  void load_invalidFile_reportsExactProblem(String behaviour, String yaml, List<String> expected) {
    assertThat(problems(yaml)).containsExactlyElementsOf(expected);
  }
}
