package io.turnout.admin.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IndexDefinitionTest {

  private static String copy(String definition, String name, String from, String to) {
    return IndexDefinition.parse(definition).copySql(name, from, to);
  }

  @Test
  void copySql_uniqueSingleColumn_replacesColumnAndBuildsConcurrently() {
    assertThat(
            copy(
                "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
                "users_email_address_key",
                "email",
                "email_address"))
        .isEqualTo(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_address_key"
                + " ON public.users USING btree (email_address)");
  }

  @Test
  void copySql_multiColumnWithPredicateAndInclude_replacesEveryReference() {
    assertThat(
            copy(
                "CREATE INDEX i ON public.users USING btree (tenant_id, email DESC NULLS LAST)"
                    + " INCLUDE (email) WHERE (email IS NOT NULL)",
                "i_email_address",
                "email",
                "email_address"))
        .isEqualTo(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i_email_address ON public.users USING btree"
                + " (tenant_id, email_address DESC NULLS LAST) INCLUDE (email_address)"
                + " WHERE (email_address IS NOT NULL)");
  }

  @Test
  void copySql_quotedIdentifiers_matchExactlyAndQuoteTheNewName() {
    assertThat(
            copy(
                "CREATE INDEX \"Users_eMail_idx\" ON \"App\".\"Users\" USING btree (\"eMail\","
                    + " email)",
                "Users_New Mail_idx",
                "eMail",
                "New Mail"))
        .isEqualTo(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"Users_New Mail_idx\" ON \"App\".\"Users\""
                + " USING btree (\"New Mail\", email)");
  }

  @Test
  void copySql_reservedWordColumn_isQuoted() {
    assertThat(copy("CREATE INDEX i ON public.t USING btree (a)", "j", "a", "user"))
        .isEqualTo("CREATE INDEX CONCURRENTLY IF NOT EXISTS j ON public.t USING btree (\"user\")");
  }

  @Test
  void copySql_expression_leavesFunctionsTypesStringsAndCollationsAlone() {
    assertThat(
            copy(
                "CREATE INDEX i ON public.t USING btree (lower((text)::text) COLLATE \"text\")"
                    + " WHERE (text <> 'text'::text) AND (text <> E'it\\'s text')",
                "j",
                "text",
                "body"))
        .isEqualTo(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS j ON public.t USING btree"
                + " (lower((body)::text) COLLATE \"text\")"
                + " WHERE (body <> 'text'::text) AND (body <> E'it\\'s text')");
  }

  @Test
  void copySql_functionNamedLikeColumn_keepsTheFunction() {
    assertThat(copy("CREATE INDEX i ON public.t USING btree (lower(lower))", "j", "lower", "l"))
        .isEqualTo("CREATE INDEX CONCURRENTLY IF NOT EXISTS j ON public.t USING btree (lower(l))");
  }

  @Test
  void copySql_storageParameterAndAccessMethod_areNotColumns() {
    assertThat(
            copy(
                "CREATE INDEX i ON public.t USING hash (hash) WITH (fillfactor='70')",
                "j",
                "hash",
                "h"))
        .isEqualTo(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS j ON public.t USING hash (h)"
                + " WITH (fillfactor='70')");
  }

  @Test
  void mentions_columnOnlyInString_isFalse() {
    IndexDefinition d =
        IndexDefinition.parse(
            "CREATE INDEX i ON public.t USING btree (a) WHERE (b = 'email'::text)");
    assertThat(d.mentions("email")).isFalse();
    assertThat(d.mentions("b")).isTrue();
    assertThat(d.mentions("t")).isFalse();
  }

  @Test
  void mentions_tableNamedLikeColumn_onlyLooksAtTheBody() {
    IndexDefinition d = IndexDefinition.parse("CREATE INDEX email ON public.email USING btree (a)");
    assertThat(d.mentions("email")).isFalse();
  }

  @Test
  void parse_notAnIndexDefinition_isRefusedWithTheText() {
    assertThatThrownBy(() -> IndexDefinition.parse("CREATE TABLE t (a int)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CREATE TABLE t (a int)");
  }
}
