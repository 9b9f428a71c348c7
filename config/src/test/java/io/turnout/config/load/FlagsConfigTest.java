package io.turnout.config.load;

import static io.turnout.config.load.Plans.BACKENDS;
import static io.turnout.config.load.Plans.load;
import static io.turnout.config.load.Plans.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.FlagSettings;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.ReadPolicy;
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

/** {@code flags:} and each migration's {@code reads.toggle}. */
class FlagsConfigTest {
  private static final String RENAME =
      "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b";

  @Test
  void flags_absent_isBuiltin() throws Exception {
    TurnoutConfig c = load(BACKENDS);

    assertThat(c.flags()).isEqualTo(FlagSettings.DEFAULTS);
    assertThat(c.flags().provider()).isEqualTo(FlagSettings.Provider.BUILTIN);
    assertThat(c.flags().unleash()).isEmpty();
  }

  @Test
  void flags_builtinWritten_isTheDefault() throws Exception {
    assertThat(load(BACKENDS + "flags: { provider: builtin }\n").flags())
        .isEqualTo(FlagSettings.DEFAULTS);
  }

  @Test
  void flags_unleashWithOnlyUrl_usesEveryOtherDefault() throws Exception {
    FlagSettings flags =
        load(BACKENDS
                + "flags:\n  provider: unleash\n  unleash: { url: http://unleash:4242/api }\n")
            .flags();

    assertThat(flags)
        .isEqualTo(
            new FlagSettings(
                FlagSettings.Provider.UNLEASH,
                Optional.of(
                    new FlagSettings.Unleash(
                        "http://unleash:4242/api",
                        Optional.empty(),
                        "turnout",
                        Optional.empty(),
                        Duration.ofSeconds(15)))));
  }

  @Test
  void flags_unleashEveryValue_isRead() throws Exception {
    FlagSettings.Unleash u =
        load(BACKENDS
                + """
                    flags:
                      provider: unleash
                      unleash:
                        url: https://unleash.internal/api
                        token: "${TURNOUT_ADMIN_TOKEN}"
                        app_name: turnout-eu
                        bootstrap_file: /etc/turnout/flags.json
                        fetch_interval: 2min
                    """)
            .flags()
            .unleash()
            .orElseThrow();

    assertThat(u.url()).isEqualTo("https://unleash.internal/api");
    assertThat(u.token()).contains("s3cret");
    assertThat(u.appName()).isEqualTo("turnout-eu");
    assertThat(u.bootstrapFile()).contains(Path.of("/etc/turnout/flags.json"));
    assertThat(u.fetchInterval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(u.toString()).doesNotContain("s3cret");
  }

  @Test
  void flags_unleashEmptyToken_meansNone() throws Exception {
    FlagSettings flags =
        load(BACKENDS + "flags:\n  unleash: { url: https://u/api, token: \"${EMPTY}\" }\n").flags();

    assertThat(flags.unleash().orElseThrow().token()).isEmpty();
  }

  @Test
  void flags_bootstrapFileRelative_isResolvedAgainstThePlanFilesDirectory(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("turnout.yaml");
    Files.writeString(
        file,
        BACKENDS
            + "flags:\n  provider: unleash\n"
            + "  unleash: { url: https://u/api, bootstrap_file: flags/bootstrap.json }\n");

    FlagSettings flags = new ConfigLoader(Map.of()).load(file).flags();

    assertThat(flags.unleash().orElseThrow().bootstrapFile())
        .contains(dir.resolve("flags/bootstrap.json"));
  }

  @Test
  void flags_builtinWithUnleashSettings_keepsThemForALaterSwitch() throws Exception {
    FlagSettings flags =
        load(BACKENDS + "flags:\n  provider: builtin\n  unleash: { url: https://u/api }\n").flags();

    assertThat(flags.provider()).isEqualTo(FlagSettings.Provider.BUILTIN);
    assertThat(flags.unleash().orElseThrow().url()).isEqualTo("https://u/api");
  }

  @Test
  void readsToggle_isReadIntoTheReadPolicy() throws Exception {
    TurnoutConfig c =
        load(BACKENDS + RENAME + ", reads: { sticky: role, toggle: turnout.rename-r } }\n");

    assertThat(c.migrations().get(0).reads())
        .isEqualTo(
            new ReadPolicy(
                ReadPolicy.Stickiness.ROLE, Optional.empty(), Optional.of("turnout.rename-r")));
  }

  @Test
  void readsToggle_absent_isEmpty() throws Exception {
    assertThat(load(BACKENDS + RENAME + " }\n").migrations().get(0).reads().toggle()).isEmpty();
  }

  @Test
  void readsToggle_absentWithUnleashProvider_loadsAndTheBuiltinRuleApplies() throws Exception {
    TurnoutConfig c =
        load(
            BACKENDS
                + "flags: { provider: unleash, unleash: { url: https://u/api } }\n"
                + RENAME
                + " }\n");

    assertThat(c.flags().provider()).isEqualTo(FlagSettings.Provider.UNLEASH);
    assertThat(c.migrations().get(0).reads()).isEqualTo(ReadPolicy.DEFAULT);
  }

  static Stream<Arguments> invalidFlags() {
    return Stream.of(
        bad(
            "unknownProvider_listsChoices",
            BACKENDS + "flags: { provider: unlesh }\n",
            "turnout.yaml:3:20: flags.provider: unknown provider 'unlesh' (expected builtin or"
                + " unleash)"),
        bad(
            "unleashProviderWithoutSettings_needsThem",
            BACKENDS + "flags: { provider: unleash }\n",
            "turnout.yaml:3:8: flags: missing required key 'unleash': required with provider:"
                + " unleash, e.g. unleash: { url: https://unleash.internal/api }"),
        bad(
            "unleashWithoutUrl_needsUrl",
            BACKENDS + "flags:\n  provider: unleash\n  unleash:\n    token: t\n",
            "turnout.yaml:6:5: flags.unleash: missing required key 'url': the Unleash API URL,"
                + " e.g. https://unleash.internal/api"),
        bad(
            "unleashUrlWithNoValue_needsOne",
            BACKENDS + "flags:\n  unleash:\n    url:\n",
            "turnout.yaml:5:5: flags.unleash.url: needs a value: the Unleash API URL, e.g."
                + " https://unleash.internal/api"),
        bad(
            "unleashUrlNotHttp_isRefused",
            BACKENDS + "flags:\n  unleash: { url: ftp://unleash.internal }\n",
            "turnout.yaml:4:19: flags.unleash.url: 'ftp://unleash.internal' must be an http:// or"
                + " https:// URL, e.g. https://unleash.internal/api"),
        bad(
            "unleashUrlWithoutScheme_isRefused",
            BACKENDS + "flags:\n  unleash: { url: unleash.internal/api }\n",
            "turnout.yaml:4:19: flags.unleash.url: 'unleash.internal/api' must be an http:// or"
                + " https:// URL, e.g. https://unleash.internal/api"),
        bad(
            "unleashUrlWithoutHost_isRefused",
            BACKENDS + "flags:\n  unleash: { url: \"https:///api\" }\n",
            "turnout.yaml:4:19: flags.unleash.url: 'https:///api' has no host, e.g."
                + " https://unleash.internal/api"),
        bad(
            "unleashUrlMalformed_saysWhy",
            BACKENDS + "flags:\n  unleash: { url: \"http://unleash internal/api\" }\n",
            "turnout.yaml:4:19: flags.unleash.url: 'http://unleash internal/api' is not a URL:"
                + " Illegal character in authority"),
        bad(
            "fetchIntervalZero_isRefused",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    fetch_interval: 0\n",
            "turnout.yaml:6:21: flags.unleash.fetch_interval: must be more than 0"),
        bad(
            "fetchIntervalWithoutUnit_showsTheFix",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    fetch_interval: 15\n",
            "turnout.yaml:6:21: flags.unleash.fetch_interval: '15' needs a unit (ms, s, min, h or"
                + " d), e.g. 15s"),
        bad(
            "fetchIntervalNegative_isRefused",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    fetch_interval: -5s\n",
            "turnout.yaml:6:21: flags.unleash.fetch_interval: '-5s' must not be negative"),
        bad(
            "appNameEmpty_isRefused",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    app_name: \"\"\n",
            "turnout.yaml:6:15: flags.unleash.app_name: the application name is empty (leave it"
                + " out for 'turnout')"),
        bad(
            "bootstrapFileEmpty_isRefused",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    bootstrap_file: \"\"\n",
            "turnout.yaml:6:21: flags.unleash.bootstrap_file: the file path is empty"),
        bad(
            "unknownUnleashKey_suggestsNearMiss",
            BACKENDS + "flags:\n  unleash:\n    url: https://u/api\n    fetch_intervall: 5s\n",
            "turnout.yaml:6:5: flags.unleash.fetch_intervall: unknown key 'fetch_intervall' (did"
                + " you mean 'fetch_interval'?)"),
        bad(
            "unknownFlagsKey_suggestsNearMiss",
            BACKENDS + "flags: { providr: unleash }\n",
            "turnout.yaml:3:10: flags.providr: unknown key 'providr' (did you mean"
                + " 'provider'?)"),
        bad(
            "flagsAsScalar_isWrongType",
            BACKENDS + "flags: unleash\n",
            "turnout.yaml:3:8: flags: expected a mapping like { provider: builtin }, found"
                + " 'unleash'"),
        bad(
            "unleashAsScalar_isWrongType",
            BACKENDS + "flags: { unleash: https://u/api }\n",
            "turnout.yaml:3:19: flags.unleash: expected a mapping like { url:"
                + " https://unleash.internal/api }, found 'https://u/api'"),
        bad(
            "everyProblem_isReportedInOnePass",
            BACKENDS
                + "flags:\n  provider: unleash\n  unleash:\n    url: ftp://u\n"
                + "    app_name: \"\"\n    fetch_interval: 0\n",
            "turnout.yaml:6:10: flags.unleash.url: 'ftp://u' must be an http:// or https:// URL,"
                + " e.g. https://unleash.internal/api",
            "turnout.yaml:7:15: flags.unleash.app_name: the application name is empty (leave it"
                + " out for 'turnout')",
            "turnout.yaml:8:21: flags.unleash.fetch_interval: must be more than 0"),
        // ---- reads.toggle
        bad(
            "toggleEmpty_isRefused",
            BACKENDS + RENAME + ", reads: { toggle: \"\" } }\n",
            "turnout.yaml:4:78: migrations[0].reads.toggle: the toggle name is empty"),
        bad(
            "toggleAsList_isWrongType",
            BACKENDS + RENAME + ", reads: { toggle: [a] } }\n",
            "turnout.yaml:4:78: migrations[0].reads.toggle: expected an Unleash toggle name,"
                + " found a list"),
        bad(
            "toggleMisspelt_suggestsToggle",
            BACKENDS + RENAME + ", reads: { togle: t } }\n",
            "turnout.yaml:4:70: migrations[0].reads.togle: unknown key 'togle' (did you mean"
                + " 'toggle'?)"));
  }

  private static Arguments bad(String behaviour, String yaml, String... expected) {
    return Arguments.of(behaviour, yaml, List.of(expected));
  }

  @ParameterizedTest(name = "flags_{0}")
  @MethodSource("invalidFlags")
  void flags_invalid_reportsExactProblems(String behaviour, String yaml, List<String> expected) {
    assertThat(problems(yaml)).containsExactlyElementsOf(expected);
  }
}
