package io.turnout.router;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rewrite cases' world: fixture.sql + expand.sql (users with email/name and the expanded
 * email_address/first_name/last_name), the two migrations, and states per phase. The catalog is
 * written out by hand so unit tests need no database; {@code RewriteCasesIT} checks it against what
 * {@code CatalogLoader} reads from PostgreSQL.
 */
final class Fixture {
  static final TableName USERS = new TableName("public", "users");
  static final String RENAME = "rename-email";
  static final String SPLIT = "split-name";
  static final String CENTS = "total-cents";
  static final String MERGE = "merge-contact-name";
  static final TableName ORDERS = new TableName("public", "orders");
  static final TableName CONTACTS = new TableName("public", "contacts");

  static final String FORWARD_CENTS = "(total * 100)::bigint";
  static final String BACKWARD_TOTAL = "total_cents / 100.0";
  static final String FORWARD_DISPLAY = "nullif(concat_ws(' ', given, family), '')";
  static final String BACKWARD_GIVEN = "split_part(display_name, ' ', 1)";
  static final String BACKWARD_FAMILY =
      "nullif(substr(display_name, length(split_part(display_name, ' ', 1)) + 2), '')";

  static final String FORWARD_FIRST = "split_part(name, ' ', 1)";
  static final String FORWARD_LAST =
      "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')";
  static final String BACKWARD_NAME = "nullif(concat_ws(' ', first_name, last_name), '')";

  private Fixture() {}

  static RenameColumn rename() {
    return new RenameColumn(
        RENAME,
        "primary",
        USERS,
        "email",
        "email_address",
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  static TransformColumn split() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("first_name", FORWARD_FIRST);
    forward.put("last_name", FORWARD_LAST);
    return new TransformColumn(
        SPLIT,
        "primary",
        USERS,
        List.of("name"),
        List.of("first_name", "last_name"),
        forward,
        Map.of("name", BACKWARD_NAME),
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  /** Type change with cast back: orders.total numeric(12,2) → total_cents bigint. */
  static TransformColumn cents() {
    return new TransformColumn(
        CENTS,
        "primary",
        ORDERS,
        List.of("total"),
        List.of("total_cents"),
        Map.of("total_cents", FORWARD_CENTS),
        Map.of("total", BACKWARD_TOTAL),
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  /** Merge: contacts.given + family → display_name. */
  static TransformColumn merge() {
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("given", BACKWARD_GIVEN);
    backward.put("family", BACKWARD_FAMILY);
    return new TransformColumn(
        MERGE,
        "primary",
        CONTACTS,
        List.of("given", "family"),
        List.of("display_name"),
        Map.of("display_name", FORWARD_DISPLAY),
        backward,
        ReadPolicy.DEFAULT,
        ShadowPolicy.DEFAULT,
        UnanalysablePolicy.DEFAULT);
  }

  static List<Migration> migrations() {
    return List.of(rename(), split(), cents(), merge());
  }

  /** Both migrations in {@code phase}, reads at 50 %. */
  static StateSnapshot state(Phase phase) {
    Map<String, MigrationState> m = new HashMap<>();
    for (String id : List.of(RENAME, SPLIT, CENTS, MERGE)) {
      m.put(id, new MigrationState(id, phase, phase == Phase.READS ? 50 : 0, 0));
    }
    return new StateSnapshot(phase.ordinal() + 1, m);
  }

  static String resource(String name) {
    try (InputStream in = Fixture.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ColumnInfo col(String name, String type, int oid, boolean notNull, String def) {
    return new ColumnInfo(name, type, oid, notNull, Optional.ofNullable(def));
  }

  /** The catalog of the expanded fixture database, as CatalogLoader reads it. */
  static Catalog catalog() {
    TableInfo users =
        new TableInfo(
            USERS,
            List.of(
                col("id", "bigint", 20, true, "nextval('users_id_seq'::regclass)"),
                col("email", "character varying(255)", 1043, true, null),
                col("name", "text", 25, false, null),
                col("status", "text", 25, true, "'active'::text"),
                col("age", "integer", 23, false, null),
                col("login_count", "integer", 23, true, "0"),
                col("tags", "text[]", 1009, true, "'{}'::text[]"),
                col("created_at", "timestamp with time zone", 1184, true, "now()"),
                col("token", "text", 25, false, "md5((random())::text)"),
                col("email_address", "character varying(255)", 1043, false, null),
                col("first_name", "text", 25, false, null),
                col("last_name", "text", 25, false, null)),
            List.of("id"),
            List.of(
                new IndexInfo(
                    "users_email_address_key",
                    true,
                    List.of("email_address"),
                    "CREATE UNIQUE INDEX users_email_address_key ON public.users USING btree (email_address)"),
                new IndexInfo(
                    "users_email_key",
                    true,
                    List.of("email"),
                    "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)"),
                new IndexInfo(
                    "users_pkey",
                    true,
                    List.of("id"),
                    "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)")));
    TableName ordersName = ORDERS;
    TableInfo orders =
        new TableInfo(
            ordersName,
            List.of(
                col("id", "bigint", 20, true, "nextval('orders_id_seq'::regclass)"),
                col("user_id", "bigint", 20, true, null),
                col("total", "numeric(12,2)", 1700, true, "0"),
                col("status", "text", 25, true, "'new'::text"),
                col("note", "text", 25, false, null),
                col("total_cents", "bigint", 20, true, "0")),
            List.of("id"),
            List.of(
                new IndexInfo(
                    "orders_pkey",
                    true,
                    List.of("id"),
                    "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)")));
    TableName auditName = new TableName("public", "audit");
    TableInfo audit =
        new TableInfo(
            auditName,
            List.of(
                col("id", "bigint", 20, true, "nextval('audit_id_seq'::regclass)"),
                col("user_id", "bigint", 20, false, null),
                col("email", "text", 25, false, null),
                col("name", "text", 25, false, null),
                col("at", "timestamp with time zone", 1184, true, "now()")),
            List.of("id"),
            List.of(
                new IndexInfo(
                    "audit_pkey",
                    true,
                    List.of("id"),
                    "CREATE UNIQUE INDEX audit_pkey ON public.audit USING btree (id)")));
    TableInfo contacts =
        new TableInfo(
            CONTACTS,
            List.of(
                col("id", "integer", 23, true, "nextval('contacts_id_seq'::regclass)"),
                col("given", "text", 25, true, null),
                col("family", "text", 25, false, null),
                col("phone", "text", 25, false, null),
                col("display_name", "text", 25, false, null)),
            List.of("id"),
            List.of(
                new IndexInfo(
                    "contacts_pkey",
                    true,
                    List.of("id"),
                    "CREATE UNIQUE INDEX contacts_pkey ON public.contacts USING btree (id)")));
    Map<TableName, TableInfo> tables = new LinkedHashMap<>();
    tables.put(USERS, users);
    tables.put(CONTACTS, contacts);
    tables.put(ordersName, orders);
    tables.put(auditName, audit);
    return new Catalog(List.of("public"), tables);
  }
}
