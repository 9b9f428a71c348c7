package io.turnout.config.load;

import static io.turnout.config.load.Plans.BACKENDS;
import static io.turnout.config.load.Plans.load;
import static io.turnout.config.load.Plans.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.AdminSettings;
import io.turnout.config.HostPort;
import io.turnout.config.TlsSettings;
import io.turnout.config.TurnoutConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code admin:}: present means on, and on means a token. */
class AdminConfigTest {

  @Test
  void admin_absent_isDisabled() throws Exception {
    assertThat(load(BACKENDS).admin()).isEqualTo(AdminSettings.DEFAULTS);
    assertThat(AdminSettings.DEFAULTS.enabled()).isFalse();
  }

  @Test
  void admin_writtenWithNoValue_isTheSameAsAbsent() throws Exception {
    assertThat(load(BACKENDS + "admin:\n").admin()).isEqualTo(AdminSettings.DEFAULTS);
  }

  @Test
  void admin_onlyToken_isEnabledWithEveryOtherDefault() throws Exception {
    AdminSettings admin = load(BACKENDS + "admin: { token: s3cret }\n").admin();

    assertThat(admin)
        .isEqualTo(
            new AdminSettings(
                true,
                AdminSettings.DEFAULT_LISTEN,
                Optional.of("s3cret"),
                false,
                Optional.empty()));
    assertThat(admin.listen()).hasToString("127.0.0.1:9090");
  }

  @Test
  void admin_tokenFromEnvironment_isUsed() throws Exception {
    AdminSettings admin = load(BACKENDS + "admin: { token: \"${TURNOUT_ADMIN_TOKEN}\" }\n").admin();

    assertThat(admin.token()).contains("s3cret");
  }

  @Test
  void admin_nonLoopbackWithToken_loads() throws Exception {
    AdminSettings admin = load(BACKENDS + "admin: { listen: 0.0.0.0:9090, token: t }\n").admin();

    assertThat(admin.listen()).isEqualTo(new HostPort("0.0.0.0", 9090));
    assertThat(admin.token()).contains("t");
  }

  @Test
  void admin_openReads_isReadInAnyCase() throws Exception {
    assertThat(load(BACKENDS + "admin: { token: t, open_reads: true }\n").admin().openReads())
        .isTrue();
    assertThat(load(BACKENDS + "admin: { token: t, open_reads: True }\n").admin().openReads())
        .isTrue();
    assertThat(load(BACKENDS + "admin: { token: t, open_reads: false }\n").admin().openReads())
        .isFalse();
  }

  @Test
  void admin_tls_isReadLikeTopLevelTls() throws Exception {
    TurnoutConfig c =
        load(
            BACKENDS
                + """
                admin:
                  token: t
                  tls: { cert: /etc/turnout/admin.crt, key: /etc/turnout/admin.key }
                """);

    assertThat(c.admin().tls())
        .contains(
            new TlsSettings(Path.of("/etc/turnout/admin.crt"), Path.of("/etc/turnout/admin.key")));
    assertThat(c.tls()).isEmpty();
  }

  @Test
  void admin_tlsRelativePaths_areResolvedAgainstThePlanFilesDirectory(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("turnout.yaml");
    Files.writeString(
        file, BACKENDS + "admin:\n  token: t\n  tls: { cert: certs/admin.crt, key: admin.key }\n");

    AdminSettings admin = new ConfigLoader(Map.of()).load(file).admin();

    assertThat(admin.tls())
        .contains(new TlsSettings(dir.resolve("certs/admin.crt"), dir.resolve("admin.key")));
  }

  @Test
  void admin_toString_neverShowsTheToken() throws Exception {
    assertThat(load(BACKENDS + "admin: { token: hunter2 }\n").admin().toString())
        .doesNotContain("hunter2")
        .contains("token=***");
  }

  static Stream<Arguments> invalidAdmin() {
    return Stream.of(
        bad(
            "withoutToken_onLoopback_isRefusedAtTheSection",
            BACKENDS + "admin:\n  listen: 127.0.0.1:9090\n",
            "turnout.yaml:4:3: admin.token: a token is required: the admin API accepts no change"
                + " without one (set token: \"${TURNOUT_ADMIN_TOKEN}\")"),
        bad(
            "withoutToken_onAllInterfaces_saysWhyThatIsWorse",
            BACKENDS + "admin: { listen: 0.0.0.0:9090 }\n",
            "turnout.yaml:3:8: admin.token: a token is required: the admin API accepts no change"
                + " without one, and it listens on 0.0.0.0:9090, which is not a loopback address:"
                + " anyone who reaches it could change routing (set token:"
                + " \"${TURNOUT_ADMIN_TOKEN}\")"),
        bad(
            "emptyToken_isRefusedAtTheValue",
            BACKENDS + "admin: { token: \"\" }\n",
            "turnout.yaml:3:17: admin.token: a token is required: the admin API accepts no change"
                + " without one (set token: \"${TURNOUT_ADMIN_TOKEN}\")"),
        bad(
            "tokenKeyWithNoValue_isRefusedAtTheKey",
            BACKENDS + "admin:\n  token:\n",
            "turnout.yaml:4:3: admin.token: a token is required: the admin API accepts no change"
                + " without one (set token: \"${TURNOUT_ADMIN_TOKEN}\")"),
        bad(
            "tokenAsList_isWrongType",
            BACKENDS + "admin: { token: [a, b] }\n",
            "turnout.yaml:3:17: admin.token: expected a token string, found a list"),
        bad(
            "openReadsYes_isNotABoolean",
            BACKENDS + "admin: { token: t, open_reads: yes }\n",
            "turnout.yaml:3:32: admin.open_reads: expected true or false, found 'yes'"),
        bad(
            "openReadsAsList_isWrongType",
            BACKENDS + "admin: { token: t, open_reads: [true] }\n",
            "turnout.yaml:3:32: admin.open_reads: expected true or false, found a list"),
        bad(
            "unknownKey_suggestsNearMiss",
            BACKENDS + "admin: { token: t, open_read: true }\n",
            "turnout.yaml:3:20: admin.open_read: unknown key 'open_read' (did you mean"
                + " 'open_reads'?)"),
        bad(
            "tlsWithoutKey_needsKey",
            BACKENDS + "admin:\n  token: t\n  tls:\n    cert: admin.crt\n",
            "turnout.yaml:6:5: admin.tls: missing required key 'key': the PEM private key file"),
        bad(
            "tlsMisspeltCert_suggestsCertAndNeedsIt",
            BACKENDS + "admin:\n  token: t\n  tls: { crt: a.crt, key: a.key }\n",
            "turnout.yaml:5:8: admin.tls: missing required key 'cert': the PEM certificate chain"
                + " file",
            "turnout.yaml:5:10: admin.tls.crt: unknown key 'crt' (did you mean 'cert'?)"),
        bad(
            "tlsAsScalar_isWrongType",
            BACKENDS + "admin: { token: t, tls: on }\n",
            "turnout.yaml:3:25: admin.tls: expected a mapping with cert: and key:, found 'on'"),
        bad(
            "everyProblem_isReportedInOnePass",
            BACKENDS + "admin:\n  listen: nowhere\n  open_reads: 1\n  tls: { cert: a.crt }\n",
            "turnout.yaml:4:3: admin.token: a token is required: the admin API accepts no change"
                + " without one (set token: \"${TURNOUT_ADMIN_TOKEN}\")",
            "turnout.yaml:4:11: admin.listen: 'nowhere': expected HOST:PORT, e.g. 127.0.0.1:6432",
            "turnout.yaml:5:15: admin.open_reads: expected true or false, found '1'",
            "turnout.yaml:6:8: admin.tls: missing required key 'key': the PEM private key file"));
  }

  private static Arguments bad(String behaviour, String yaml, String... expected) {
    return Arguments.of(behaviour, yaml, List.of(expected));
  }

  @ParameterizedTest(name = "admin_{0}")
  @MethodSource("invalidAdmin")
  void admin_invalid_reportsExactProblems(String behaviour, String yaml, List<String> expected) {
    assertThat(problems(yaml)).containsExactlyElementsOf(expected);
  }
}
