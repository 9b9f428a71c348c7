package io.turnout.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.BackendUrl;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.load.ConfigLoader;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PlanValidatorTest {
  private static final TableName USERS = new TableName("public", "users");

  private static ColumnInfo column(String name, String type, boolean notNull) {
    return new ColumnInfo(name, type, 0, notNull, Optional.empty());
  }

  /** public.users(id bigint primary key, name text, email text) plus extra columns. */
  private static Catalog users(ColumnInfo... extra) {
    List<ColumnInfo> columns = new ArrayList<>();
    columns.add(column("id", "bigint", true));
    columns.add(column("name", "text", false));
    columns.add(column("email", "text", false));
    columns.addAll(List.of(extra));
    TableInfo users = new TableInfo(USERS, columns, List.of("id"), List.of());
    return new Catalog(List.of("public"), Map.of(USERS, users));
  }

  private static RenameColumn rename(String from, String to) {
    return new RenameColumn(
        "rename-email",
        "primary",
        USERS,
        from,
        to,
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  private static TransformColumn split(Map<String, String> forward, Map<String, String> backward) {
    return new TransformColumn(
        "split-name",
        "primary",
        USERS,
        List.of("name"),
        List.of("first_name", "last_name"),
        forward,
        backward,
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  private static TransformColumn split() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("first_name", "split_part(name, ' ', 1)");
    forward.put("last_name", "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')");
    return split(forward, Map.of("name", "concat_ws(' ', first_name, last_name)"));
  }

  private static List<String> problems(Migration m, Catalog catalog, Phase phase) {
    return PlanValidator.validate(m, catalog, phase).problems().stream()
        .map(PlanProblem::toString)
        .toList();
  }

  @Test
  void validate_designExampleAtPlanned_isClean() throws Exception {
    TurnoutConfig config =
        new ConfigLoader(Map.of())
            .load(
                """
                backends: { primary: "postgresql://app@127.0.0.1:5432/app" }
                migrations:
                  - { id: rename-email, kind: rename_column, table: public.users, from: email, to: email_address }
                  - id: split-name
                    kind: transform_column
                    table: public.users
                    old: [name]
                    new: [first_name, last_name]
                    forward:
                      first_name: "split_part(name, ' ', 1)"
                      last_name: "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')"
                    backward:
                      name: "concat_ws(' ', first_name, last_name)"
                """,
                "t.yaml");

    ValidationResult result =
        PlanValidator.validate(
            config, Map.of("primary", users()), StateSnapshot.initial(config.migrations()));

    assertThat(result.ok()).as(result.describeProblems()).isTrue();
    assertThat(result.checks()).hasSize(3);
  }

  @Test
  void validate_transformAtPlanned_checksEachExpressionWithProbeSql() {
    ValidationResult result = PlanValidator.validate(split(), users(), Phase.PLANNED);

    assertThat(result.checks())
        .containsExactly(
            new ExpressionCheck(
                "split-name",
                USERS,
                ExpressionCheck.Direction.FORWARD,
                "first_name",
                "split_part(name, ' ', 1)",
                Optional.empty(),
                "SELECT (split_part(name, ' ', 1)) AS first_name FROM public.users WHERE false"),
            new ExpressionCheck(
                "split-name",
                USERS,
                ExpressionCheck.Direction.FORWARD,
                "last_name",
                "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')",
                Optional.empty(),
                "SELECT (nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')) AS"
                    + " last_name FROM public.users WHERE false"),
            new ExpressionCheck(
                "split-name",
                USERS,
                ExpressionCheck.Direction.BACKWARD,
                "name",
                "concat_ws(' ', first_name, last_name)",
                Optional.of("text"),
                "SELECT (concat_ws(' ', first_name, last_name)) AS name FROM (SELECT"
                    + " (split_part(name, ' ', 1)) AS first_name, (nullif(substr(name,"
                    + " length(split_part(name, ' ', 1)) + 2), '')) AS last_name FROM public.users"
                    + " WHERE false) AS t"));
  }

  @Test
  void validate_transformNewColumnsAlreadyThere_checksCarryTheirType() {
    Catalog catalog =
        users(
            column("first_name", "character varying(100)", false),
            column("last_name", "text", false));

    ValidationResult result = PlanValidator.validate(split(), catalog, Phase.PLANNED);

    assertThat(result.ok()).isTrue();
    assertThat(result.checks().get(0).expectedType()).contains("character varying(100)");
    assertThat(result.checks().get(2).probeSql())
        .isEqualTo(
            "SELECT (concat_ws(' ', first_name, last_name)) AS name FROM public.users WHERE false");
  }

  @Test
  void validate_unknownTable_suggestsNearMiss() {
    RenameColumn m =
        new RenameColumn(
            "r",
            "primary",
            new TableName("public", "user"),
            "email",
            "mail",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);

    assertThat(problems(m, users(), Phase.PLANNED))
        .containsExactly(
            "migration 'r': table: table public.user does not exist on backend 'primary' (did you"
                + " mean 'public.users'?)");
  }

  @Test
  void validate_renameFromMissing_namesColumnAndSuggests() {
    assertThat(problems(rename("emial", "email_address"), users(), Phase.PLANNED))
        .containsExactly(
            "migration 'rename-email': from: column public.users.emial does not exist (did you"
                + " mean 'email'?)");
  }

  @Test
  void validate_renameTargetExistsAtPlanned_isRefused() {
    Catalog catalog = users(column("email_address", "text", false));

    assertThat(problems(rename("email", "email_address"), catalog, Phase.PLANNED))
        .containsExactly(
            "migration 'rename-email': to: column public.users.email_address already exists, but"
                + " the migration is at planned and expand creates it; drop it, or record the"
                + " migration as expanded if expand made it");
  }

  @ParameterizedTest(name = "validate_renameTargetExists_{0}_isFine")
  @EnumSource(
      value = Phase.class,
      names = {
        "EXPANDED",
        "DUAL_WRITE",
        "BACKFILLED",
        "VERIFIED",
        "READS",
        "READS_NEW",
        "WRITES_NEW"
      })
  void validate_renameTargetExistsPastExpand_isFine(Phase phase) {
    Catalog catalog = users(column("email_address", "text", false));

    assertThat(problems(rename("email", "email_address"), catalog, phase)).isEmpty();
  }

  @ParameterizedTest(name = "validate_renameTargetMissing_{0}_isRefused")
  @EnumSource(
      value = Phase.class,
      names = {"EXPANDED", "DUAL_WRITE", "VERIFIED", "READS_NEW"})
  void validate_renameTargetMissingPastExpand_isRefused(Phase phase) {
    assertThat(problems(rename("email", "email_address"), users(), phase))
        .containsExactly(
            "migration 'rename-email': to: column public.users.email_address does not exist, but"
                + " the migration is at "
                + phase.name().toLowerCase(java.util.Locale.ROOT)
                + " and expand creates it");
  }

  @Test
  void validate_renameTargetOfOtherType_isRefused() {
    Catalog catalog = users(column("email_address", "character varying(255)", false));

    assertThat(problems(rename("email", "email_address"), catalog, Phase.DUAL_WRITE))
        .containsExactly(
            "migration 'rename-email': to: column email_address is character varying(255) but"
                + " email is text; a rename keeps the type (use transform_column to change it)");
  }

  @Test
  void validate_contracted_oldColumnMayBeGone() {
    Catalog catalog =
        new Catalog(
            List.of("public"),
            Map.of(
                USERS,
                new TableInfo(
                    USERS,
                    List.of(column("id", "bigint", true), column("email_address", "text", false)),
                    List.of("id"),
                    List.of())));

    assertThat(problems(rename("email", "email_address"), catalog, Phase.CONTRACTED)).isEmpty();
  }

  @Test
  void validate_transformNewColumnsMissingAfterExpand_namesEach() {
    assertThat(problems(split(), users(), Phase.DUAL_WRITE))
        .containsExactly(
            "migration 'split-name': new[0]: column public.users.first_name does not exist, but"
                + " the migration is at dual_write and expand creates it",
            "migration 'split-name': new[1]: column public.users.last_name does not exist, but"
                + " the migration is at dual_write and expand creates it");
  }

  @Test
  void validate_tableWithoutKey_isRefused() {
    TableName logs = new TableName("public", "logs");
    Catalog catalog =
        new Catalog(
            List.of("public"),
            Map.of(
                logs,
                new TableInfo(logs, List.of(column("msg", "text", false)), List.of(), List.of())));
    RenameColumn m =
        new RenameColumn(
            "logs",
            "primary",
            logs,
            "msg",
            "message",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);

    assertThat(problems(m, catalog, Phase.PLANNED))
        .containsExactly(
            "migration 'logs': table: table public.logs has no primary key and no unique index"
                + " over NOT NULL columns; backfill and verify walk the table by key");
  }

  @Test
  void validate_uniqueIndexOverNotNullColumns_servesAsKey() {
    TableName logs = new TableName("public", "logs");
    Catalog catalog =
        new Catalog(
            List.of("public"),
            Map.of(
                logs,
                new TableInfo(
                    logs,
                    List.of(column("uid", "uuid", true), column("msg", "text", false)),
                    List.of(),
                    List.of(
                        new IndexInfo(
                            "logs_uid", true, List.of("uid"), "CREATE UNIQUE INDEX …")))));
    RenameColumn m =
        new RenameColumn(
            "logs",
            "primary",
            logs,
            "msg",
            "message",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);

    assertThat(problems(m, catalog, Phase.PLANNED)).isEmpty();
  }

  @Test
  void validate_keyColumnMissing_isRefused() {
    RenameColumn m =
        new RenameColumn(
            "rename-email",
            "primary",
            USERS,
            "email",
            "email_address",
            new ReadPolicy(ReadPolicy.Stickiness.KEY_COLUMN, Optional.of("user_id")),
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);

    assertThat(problems(m, users(), Phase.PLANNED))
        .containsExactly(
            "migration 'rename-email': reads.key_column: column public.users.user_id does not"
                + " exist");
  }

  @Test
  void validate_expressionsReadingWrongColumns_nameMigrationAndColumn() {
    TransformColumn m =
        split(
            Map.of("first_name", "split_part(email, ' ', 1)", "last_name", "now()::text"),
            Map.of("name", "first_name || ' ' || last_name"));

    assertThat(problems(m, users(), Phase.PLANNED))
        .containsExactlyInAnyOrder(
            "migration 'split-name': forward.first_name: uses column 'email', which is not an old"
                + " column (a forward expression may read only the old columns: name)",
            "migration 'split-name': forward.last_name: the expression calls now(), which is"
                + " volatile or time-dependent, so backfill and dual-write would store different"
                + " values");
  }

  @Test
  void validate_expressionsNotCoveringColumns_areRefused() {
    TransformColumn m = split(Map.of("first_name", "name"), Map.of());

    assertThat(problems(m, users(), Phase.PLANNED))
        .containsExactly(
            "migration 'split-name': forward: no expression for new column 'last_name'",
            "migration 'split-name': backward: no expression for old column 'name'");
  }

  @Test
  void validate_configWithoutCatalogForBackend_saysSo() {
    TurnoutConfig config =
        new TurnoutConfig(
            TurnoutConfig.DEFAULT_LISTEN,
            io.turnout.config.AdminSettings.DEFAULTS,
            Map.of("primary", BackendUrl.parse("postgresql://db/app")),
            "primary",
            io.turnout.config.ProxyLimits.DEFAULTS,
            Optional.empty(),
            List.of(rename("email", "email_address")));

    ValidationResult result = PlanValidator.validate(config, Map.of(), StateSnapshot.EMPTY);

    assertThat(result.describeProblems())
        .isEqualTo(
            "migration 'rename-email': backend: no catalog was loaded for backend 'primary'");
  }

  @Test
  void validate_phaseComesFromTheSnapshot() {
    Catalog catalog = users(column("email_address", "text", false));
    RenameColumn m = rename("email", "email_address");
    StateSnapshot planned = StateSnapshot.initial(List.of(m));
    StateSnapshot expanded = planned.with(new MigrationState("rename-email", Phase.EXPANDED, 0, 0));

    assertThat(PlanValidator.validate(List.of(m), catalog, planned).ok()).isFalse();
    assertThat(PlanValidator.validate(List.of(m), catalog, expanded).ok()).isTrue();
  }
}
