package io.turnout.config.load;

import static io.turnout.config.load.Plans.BACKENDS;
import static io.turnout.config.load.Plans.load;
import static io.turnout.config.load.Plans.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.Migration;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each migration's {@code contract: { soak: … }}. */
class ContractConfigTest {
  private static final String RENAME =
      "migrations:\n  - { id: r, kind: rename_column, table: t, from: a, to: b";

  private static final String TRANSFORM =
      """
      migrations:
        - id: cents
          kind: transform_column
          table: orders
          old: [price]
          new: [price_cents]
          forward: { price_cents: "(price * 100)::bigint" }
          backward: { price: "price_cents / 100.0" }
      """;

  private static Migration only(String yaml) throws ConfigException {
    return load(yaml).migrations().get(0);
  }

  @Test
  void contract_absent_soaksADay() throws Exception {
    assertThat(only(BACKENDS + RENAME + " }\n").contract()).isEqualTo(ContractPolicy.DEFAULT);
    assertThat(only(BACKENDS + TRANSFORM).contract()).isEqualTo(ContractPolicy.DEFAULT);
    assertThat(ContractPolicy.DEFAULT.soak()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void contract_emptyOrWithoutSoak_soaksADay() throws Exception {
    assertThat(only(BACKENDS + RENAME + ", contract: {} }\n").contract())
        .isEqualTo(ContractPolicy.DEFAULT);
    assertThat(only(BACKENDS + TRANSFORM + "    contract:\n").contract())
        .isEqualTo(ContractPolicy.DEFAULT);
  }

  @ParameterizedTest(name = "contract_soak_{0}_is_{1}s")
  @CsvSource({"0s, 0", "0, 0", "90min, 5400", "7d, 604800", "1h, 3600"})
  void contract_soak_isReadAsADuration(String written, long seconds) throws Exception {
    Migration m = only(BACKENDS + RENAME + ", contract: { soak: " + written + " } }\n");

    assertThat(m.contract().soak()).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void contract_onTransform_isRead() throws Exception {
    Migration m = only(BACKENDS + TRANSFORM + "    contract: { soak: 2h }\n");

    assertThat(m.contract()).isEqualTo(new ContractPolicy(Duration.ofHours(2)));
  }

  /** The default backend is filled in after reading; that copy must keep the contract policy. */
  @Test
  void contract_migrationOnTheDefaultBackend_keepsItsSoak() throws Exception {
    TurnoutConfig c =
        load(
            """
            backends:
              main: postgresql://app@db/app
            """
                + TRANSFORM
                + "    contract: { soak: 3h }\n"
                + "  - { id: r, kind: rename_column, table: t, from: a, to: b,"
                + " contract: { soak: 5min } }\n");

    assertThat(c.migrations()).extracting(Migration::backend).containsExactly("main", "main");
    assertThat(c.migrations())
        .extracting(m -> m.contract().soak())
        .containsExactly(Duration.ofHours(3), Duration.ofMinutes(5));
  }

  @Test
  void contract_migrationNamingItsBackend_keepsItsSoak() throws Exception {
    Migration m = only(BACKENDS + RENAME + ", backend: primary, contract: { soak: 30s } }\n");

    assertThat(m.backend()).isEqualTo("primary");
    assertThat(m.contract().soak()).isEqualTo(Duration.ofSeconds(30));
  }

  static Stream<Arguments> invalidContract() {
    return Stream.of(
        bad(
            "soakNegative_isRefused",
            BACKENDS + RENAME + ", contract: { soak: -1h } }\n",
            "turnout.yaml:4:79: migrations[0].contract.soak: '-1h' must not be negative"),
        bad(
            "soakWithoutUnit_showsTheFix",
            BACKENDS + RENAME + ", contract: { soak: 24 } }\n",
            "turnout.yaml:4:79: migrations[0].contract.soak: '24' needs a unit (ms, s, min, h or"
                + " d), e.g. 24s"),
        bad(
            "soakMinutesAsM_pointsToMin",
            BACKENDS + RENAME + ", contract: { soak: 30m } }\n",
            "turnout.yaml:4:79: migrations[0].contract.soak: '30m': unknown unit 'm' (expected"
                + " ms, s, min, h or d; minutes are 'min')"),
        bad(
            "soakAsList_isWrongType",
            BACKENDS + RENAME + ", contract: { soak: [24h] } }\n",
            "turnout.yaml:4:79: migrations[0].contract.soak: expected a duration like 30s, found"
                + " a list"),
        bad(
            "contractAsScalar_isWrongType",
            BACKENDS + RENAME + ", contract: 24h }\n",
            "turnout.yaml:4:71: migrations[0].contract: expected a mapping like { soak: 24h },"
                + " found '24h'"),
        bad(
            "unknownContractKey_suggestsSoak",
            BACKENDS + RENAME + ", contract: { soka: 1h } }\n",
            "turnout.yaml:4:73: migrations[0].contract.soka: unknown key 'soka' (did you mean"
                + " 'soak'?)"),
        bad(
            "misspeltContract_suggestsContract",
            BACKENDS + RENAME + ", contarct: { soak: 1h } }\n",
            "turnout.yaml:4:61: migrations[0].contarct: unknown key 'contarct' (did you mean"
                + " 'contract'?)"),
        bad(
            "soakProblemOnTransform_isReportedWithTheOthers",
            BACKENDS + TRANSFORM + "    reads: { sticky: sesion }\n    contract: { soak: -2h }\n",
            "turnout.yaml:11:22: migrations[0].reads.sticky: unknown sticky 'sesion' (expected"
                + " session, application_name, role, sticky_key or key_column)",
            "turnout.yaml:12:23: migrations[0].contract.soak: '-2h' must not be negative"));
  }

  private static Arguments bad(String behaviour, String yaml, String... expected) {
    return Arguments.of(behaviour, yaml, List.of(expected));
  }

  @ParameterizedTest(name = "contract_{0}")
  @MethodSource("invalidContract")
  void contract_invalid_reportsExactProblems(String behaviour, String yaml, List<String> expected) {
    assertThat(problems(yaml)).containsExactlyElementsOf(expected);
  }
}
