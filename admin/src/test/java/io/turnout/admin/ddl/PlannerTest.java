package io.turnout.admin.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure part of planning: a hand-made catalog in, SQL out. */
class PlannerTest {
  private static final TableName USERS = new TableName("public", "users");

  /** Renames never ask PostgreSQL for expression types. */
  private static final ExpressionTypes NO_TYPES =
      new ExpressionTypes() {
        @Override
        public String typeOf(TableName table, String expression) {
          throw new AssertionError("asked for the type of " + expression);
        }

        @Override
        public boolean fits(TableName table, String expression, String columnType) {
          throw new AssertionError("asked whether " + expression + " fits " + columnType);
        }
      };

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

  private static Catalog catalog(List<ColumnInfo> columns, List<IndexInfo> indexes) {
    return new Catalog(
        List.of("public"), Map.of(USERS, new TableInfo(USERS, columns, List.of("id"), indexes)));
  }

  private static final ColumnInfo ID = new ColumnInfo("id", "bigint", 20, true, Optional.empty());
  private static final ColumnInfo EMAIL =
      new ColumnInfo(
          "email",
          "character varying(255)",
          1043,
          true,
          Optional.of("'nobody@example.com'::character varying"));

  @Test
  void expand_renameColumn_copiesTypeDefaultNotNullAndIndexes() throws Exception {
    Catalog catalog =
        catalog(
            List.of(ID, EMAIL),
            List.of(
                new IndexInfo(
                    "users_pkey",
                    true,
                    List.of("id"),
                    "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"),
                new IndexInfo(
                    "users_email_key",
                    true,
                    List.of("email"),
                    "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)")));
    DdlPlan plan = new ExpandPlanner(NO_TYPES).plan(rename("email", "email_address"), catalog);
    assertThat(plan.render())
        .isEqualTo(
            "ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email_address character"
                + " varying(255);\n"
                + "ALTER TABLE public.users ALTER COLUMN email_address SET DEFAULT"
                + " 'nobody@example.com'::character varying;\n"
                + "ALTER TABLE public.users ADD CONSTRAINT users_email_address_not_null CHECK"
                + " (email_address IS NOT NULL) NOT VALID;\n"
                + "ALTER TABLE public.users VALIDATE CONSTRAINT users_email_address_not_null;\n"
                + "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_address_key ON"
                + " public.users USING btree (email_address);\n");
    assertThat(plan.steps())
        .extracting(DdlStep::transactional)
        .containsExactly(true, true, true, true, false);
    assertThat(plan.steps())
        .extracting(DdlStep::scansTable)
        .containsExactly(false, false, false, true, true);
    assertThat(plan.steps()).allSatisfy(s -> assertThat(s.doneWhen()).isPresent());
    assertThat(plan.steps().get(4).index())
        .contains(new TableName("public", "users_email_address_key"));
  }

  @Test
  void expand_renameWithNotNullLater_leavesTheCheckForNotNullPlan() throws Exception {
    Catalog catalog = catalog(List.of(ID, EMAIL), List.of());
    ExpandPlanner planner = new ExpandPlanner(NO_TYPES);
    DdlPlan expand = planner.plan(rename("email", "mail"), catalog, ExpandPlanner.NotNull.LATER);
    assertThat(expand.render()).doesNotContain("CHECK").doesNotContain("VALIDATE");
    assertThat(planner.notNullPlan(rename("email", "mail"), catalog).render())
        .isEqualTo(
            "ALTER TABLE public.users ADD CONSTRAINT users_mail_not_null CHECK (mail IS NOT"
                + " NULL) NOT VALID;\n"
                + "ALTER TABLE public.users VALIDATE CONSTRAINT users_mail_not_null;\n");
  }

  @Test
  void expand_renameToExistingColumnOfAnotherType_isRefused() {
    Catalog catalog =
        catalog(
            List.of(ID, EMAIL, new ColumnInfo("mail", "text", 25, false, Optional.empty())),
            List.of());
    assertThatThrownBy(() -> new ExpandPlanner(NO_TYPES).plan(rename("email", "mail"), catalog))
        .hasMessageContaining("already exists as text, but email is character varying(255)");
  }

  @Test
  void expand_missingOldColumn_isRefusedNamingTable() {
    Catalog catalog = catalog(List.of(ID), List.of());
    assertThatThrownBy(() -> new ExpandPlanner(NO_TYPES).plan(rename("email", "mail"), catalog))
        .hasMessage(
            "migration 'rename-email': expand: column email of public.users does not exist");
  }

  @Test
  void contract_dropsOnlyTheOldColumn() throws Exception {
    Catalog catalog =
        catalog(
            List.of(ID, EMAIL, new ColumnInfo("mail", EMAIL.type(), 1043, false, Optional.empty())),
            List.of());
    assertThat(ContractPlanner.plan(rename("email", "mail"), catalog).render())
        .isEqualTo("ALTER TABLE public.users DROP COLUMN IF EXISTS email;\n");
  }

  @Test
  void contract_newColumnMissing_isRefusedBecauseItWouldLoseData() {
    Catalog catalog = catalog(List.of(ID, EMAIL), List.of());
    assertThatThrownBy(() -> ContractPlanner.plan(rename("email", "mail"), catalog))
        .hasMessageContaining("contract refused: new column mail of public.users does not exist");
  }
}
