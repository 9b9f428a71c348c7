package io.turnout.admin.ddl;

import static io.turnout.admin.ddl.Sql.exec;
import static io.turnout.admin.ddl.Sql.one;
import static io.turnout.admin.ddl.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.router.catalog.CatalogLoader;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Expand and contract plans run on a real PostgreSQL, checked in its catalogs. */
@ExtendWith(PostgresExtension.class)
class DdlPlannersIT {
  private static final TableName USERS = new TableName("public", "users");

  private static final String USERS_TABLE =
      "CREATE TABLE users (id bigserial PRIMARY KEY, tenant_id int NOT NULL,"
          + " email varchar(255) NOT NULL DEFAULT 'nobody@example.com',"
          + " name text, price numeric(12,2))";
  private static final String USERS_INDEXES =
      "CREATE UNIQUE INDEX users_email_key ON users (email);"
          + " CREATE INDEX users_tenant_id_email_idx ON users (tenant_id, email)";

  private static final RenameColumn RENAME_EMAIL =
      new RenameColumn(
          "rename-email",
          "primary",
          USERS,
          "email",
          "email_address",
          ReadPolicy.DEFAULT,
          ShadowPolicy.DEFAULT,
          UnanalysablePolicy.DEFAULT);

  private static final TransformColumn SPLIT_NAME =
      transform(
          "split-name",
          List.of("name"),
          List.of("first_name", "last_name"),
          Map.of(
              "first_name", "split_part(name, ' ', 1)",
              "last_name", "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')"),
          Map.of("name", "concat_ws(' ', first_name, last_name)"));

  private static final TransformColumn PRICE_CENTS =
      transform(
          "price-cents",
          List.of("price"),
          List.of("price_cents"),
          Map.of("price_cents", "(price * 100)::bigint"),
          Map.of("price", "(price_cents / 100.0)::numeric(12,2)"));

  private static TransformColumn transform(
      String id,
      List<String> old,
      List<String> neu,
      Map<String, String> forward,
      Map<String, String> backward) {
    return new TransformColumn(
        id,
        "primary",
        USERS,
        old,
        neu,
        forward,
        backward,
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  private static DdlResult expand(Connection c, Migration m) throws Exception {
    return expand(c, m, ExpandPlanner.NotNull.WITH_EXPAND);
  }

  private static DdlResult expand(Connection c, Migration m, ExpandPlanner.NotNull notNull)
      throws Exception {
    DdlPlan plan =
        new ExpandPlanner(new PostgresExpressionTypes(c)).plan(m, CatalogLoader.load(c), notNull);
    System.out.print(plan.render());
    return new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE).run(c, plan);
  }

  private static DdlResult contract(Connection c, Migration m) throws Exception {
    return new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE)
        .run(c, ContractPlanner.plan(m, CatalogLoader.load(c)));
  }

  private static List<String> indexes(Connection c) throws Exception {
    return rows(
        c,
        "SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID'"
            + " END FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
            + " WHERE i.indrelid = 'public.users'::regclass ORDER BY x.relname");
  }

  private static String column(Connection c, String name) throws Exception {
    return one(
        c,
        "SELECT format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null'"
            + " ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
            + " FROM pg_attribute a LEFT JOIN pg_attrdef d"
            + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attrelid = 'public.users'::regclass AND a.attname = '"
            + name
            + "' AND NOT a.attisdropped");
  }

  private static List<String> checks(Connection c) throws Exception {
    return rows(
        c,
        "SELECT conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN ''"
            + " ELSE ' NOT VALIDATED' END FROM pg_constraint"
            + " WHERE conrelid = 'public.users'::regclass AND contype = 'c' ORDER BY conname");
  }

  @Test
  void expand_renameColumn_copiesTypeDefaultCheckAndIndexes(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_rename"))) {
      exec(c, USERS_TABLE, USERS_INDEXES);

      DdlResult result = expand(c, RENAME_EMAIL);

      assertThat(result.outcomes())
          .containsExactly(
              StepOutcome.APPLIED,
              StepOutcome.APPLIED,
              StepOutcome.APPLIED,
              StepOutcome.APPLIED,
              StepOutcome.APPLIED,
              StepOutcome.APPLIED);
      assertThat(column(c, "email_address"))
          .isEqualTo("character varying(255) default 'nobody@example.com'::character varying");
      assertThat(checks(c))
          .containsExactly("users_email_address_not_null CHECK ((email_address IS NOT NULL))");
      assertThat(indexes(c))
          .containsExactly(
              "CREATE UNIQUE INDEX users_email_address_key ON public.users USING btree"
                  + " (email_address)",
              "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
              "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
              "CREATE INDEX users_tenant_id_email_address_idx ON public.users USING btree"
                  + " (tenant_id, email_address)",
              "CREATE INDEX users_tenant_id_email_idx ON public.users USING btree (tenant_id,"
                  + " email)");
      // The CHECK is enforced: a row without the new column is refused.
      assertThatThrownBy(
              () ->
                  exec(
                      c,
                      "INSERT INTO users (tenant_id, email, email_address) VALUES (1, 'a', NULL)"))
          .hasMessageContaining("users_email_address_not_null");
    }
  }

  @Test
  void expand_renameColumnTwice_secondRunChangesNothing(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_rename_twice"))) {
      exec(c, USERS_TABLE, USERS_INDEXES);
      expand(c, RENAME_EMAIL);
      Catalog before = CatalogLoader.load(c);
      List<String> checksBefore = checks(c);

      DdlResult again = expand(c, RENAME_EMAIL);

      assertThat(again.unchanged()).as("outcomes %s", again.outcomes()).isTrue();
      assertThat(CatalogLoader.load(c)).isEqualTo(before);
      assertThat(checks(c)).isEqualTo(checksBefore);
    }
  }

  @Test
  void expand_renameOnPopulatedTable_validatesOnlyOnceTheNewColumnIsFilled(PostgresServer pg)
      throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_rename_rows"))) {
      exec(
          c,
          USERS_TABLE,
          USERS_INDEXES,
          "INSERT INTO users (tenant_id, email) SELECT g % 7, 'u' || g || '@example.com'"
              + " FROM generate_series(1, 1000) g");

      // Validating now would fail on the 1000 NULLs, with the statement and SQLSTATE in the error.
      assertThatThrownBy(() -> expand(c, RENAME_EMAIL))
          .isInstanceOf(DdlException.class)
          .hasMessageContaining("expand of 'rename-email' on public.users, step 4/6")
          .hasMessageContaining("23514")
          .hasMessageContaining("VALIDATE CONSTRAINT users_email_address_not_null");
      exec(c, "ALTER TABLE users DROP CONSTRAINT users_email_address_not_null");

      expand(c, RENAME_EMAIL, ExpandPlanner.NotNull.LATER);
      // Writes that set only the old column still work before dual-write is on.
      exec(c, "INSERT INTO users (tenant_id, email) VALUES (1, 'late@example.com')");
      exec(c, "UPDATE users SET email_address = email"); // what backfill does
      DdlResult notNull =
          new DdlRunner(DdlSettings.DEFAULT, DdlListener.NONE)
              .run(
                  c,
                  new ExpandPlanner(new PostgresExpressionTypes(c))
                      .notNullPlan(RENAME_EMAIL, CatalogLoader.load(c)));

      assertThat(notNull.outcomes()).containsExactly(StepOutcome.APPLIED, StepOutcome.APPLIED);
      assertThat(checks(c))
          .containsExactly("users_email_address_not_null CHECK ((email_address IS NOT NULL))");
      assertThat(indexes(c)).noneMatch(d -> d.endsWith("INVALID")).hasSize(5);
    }
  }

  @Test
  void expand_quotedNamesAndKeywordColumn_buildsCopiesAndSkipsThemOnRerun(PostgresServer pg)
      throws Exception {
    TableName table = new TableName("App", "Users");
    RenameColumn rename =
        new RenameColumn(
            "rename-mail",
            "primary",
            table,
            "eMail",
            "between",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);
    try (Connection c = pg.connect(pg.createDatabase("ddl_quoted"))) {
      exec(
          c,
          "CREATE SCHEMA \"App\"",
          "CREATE TABLE \"App\".\"Users\" (id int PRIMARY KEY, \"eMail\" text NOT NULL)",
          "CREATE UNIQUE INDEX \"Users_eMail_idx\" ON \"App\".\"Users\" (lower(\"eMail\"))"
              + " WHERE \"eMail\" <> ''");

      DdlResult first = expand(c, rename);
      DdlResult second = expand(c, rename);

      assertThat(first.outcomes()).doesNotContain(StepOutcome.SKIPPED);
      assertThat(second.unchanged()).as("outcomes %s", second.outcomes()).isTrue();
      assertThat(
              rows(
                  c,
                  "SELECT pg_get_indexdef(indexrelid) || ' ' || indisvalid FROM pg_index"
                      + " WHERE indrelid = '\"App\".\"Users\"'::regclass"
                      + " ORDER BY indexrelid::regclass::text"))
          .containsExactly(
              "CREATE UNIQUE INDEX \"Users_between_idx\" ON \"App\".\"Users\" USING btree"
                  + " (lower(\"between\")) WHERE (\"between\" <> ''::text) true",
              "CREATE UNIQUE INDEX \"Users_eMail_idx\" ON \"App\".\"Users\" USING btree"
                  + " (lower(\"eMail\")) WHERE (\"eMail\" <> ''::text) true",
              "CREATE UNIQUE INDEX \"Users_pkey\" ON \"App\".\"Users\" USING btree (id) true");
    }
  }

  @Test
  void expand_transformColumns_givesTheForwardExpressionsTypes(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_transform"))) {
      exec(c, USERS_TABLE);

      expand(c, SPLIT_NAME);
      expand(c, PRICE_CENTS);

      assertThat(column(c, "first_name")).isEqualTo("text");
      assertThat(column(c, "last_name")).isEqualTo("text");
      assertThat(column(c, "price_cents")).isEqualTo("bigint");
      assertThat(expand(c, SPLIT_NAME).unchanged()).isTrue();
      assertThat(expand(c, PRICE_CENTS).unchanged()).isTrue();
    }
  }

  @Test
  void expand_transformWithExistingNewColumnThatFits_keepsIt(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_transform_keep"))) {
      exec(c, USERS_TABLE, "ALTER TABLE users ADD COLUMN first_name varchar(100)");

      DdlResult result = expand(c, SPLIT_NAME);

      assertThat(result.outcomes()).containsExactly(StepOutcome.SKIPPED, StepOutcome.APPLIED);
      assertThat(column(c, "first_name")).isEqualTo("character varying(100)");
      assertThat(column(c, "last_name")).isEqualTo("text");
    }
  }

  @Test
  void expand_transformWithExistingNewColumnThatDoesNotFit_isRefused(PostgresServer pg)
      throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_transform_misfit"))) {
      exec(c, USERS_TABLE, "ALTER TABLE users ADD COLUMN price_cents boolean");

      assertThatThrownBy(() -> expand(c, PRICE_CENTS))
          .isInstanceOf(DdlException.class)
          .hasMessage(
              "migration 'price-cents': expand: column price_cents of public.users already"
                  + " exists as boolean, which cannot store forward.price_cents"
                  + " ((price * 100)::bigint) of type bigint");
    }
  }

  @Test
  void contract_afterRename_dropsOnlyTheOldColumnAndItsIndexes(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect(pg.createDatabase("ddl_contract"))) {
      exec(c, USERS_TABLE, USERS_INDEXES);
      expand(c, RENAME_EMAIL);

      DdlResult first = contract(c, RENAME_EMAIL);
      DdlResult second = contract(c, RENAME_EMAIL);

      assertThat(first.outcomes()).containsExactly(StepOutcome.APPLIED);
      assertThat(second.unchanged()).isTrue();
      assertThat(
              rows(
                  c,
                  "SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass"
                      + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum"))
          .containsExactly("id", "tenant_id", "name", "price", "email_address");
      assertThat(indexes(c))
          .containsExactly(
              "CREATE UNIQUE INDEX users_email_address_key ON public.users USING btree"
                  + " (email_address)",
              "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
              "CREATE INDEX users_tenant_id_email_address_idx ON public.users USING btree"
                  + " (tenant_id, email_address)");
      assertThat(checks(c))
          .containsExactly("users_email_address_not_null CHECK ((email_address IS NOT NULL))");
    }
  }
}
