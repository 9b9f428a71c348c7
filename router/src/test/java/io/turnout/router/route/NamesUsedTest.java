package io.turnout.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.rewrite.ColumnPlan;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesUsedTest {
  private static final List<ColumnPlan> PLANS =
      List.of(
          ColumnPlan.of(
              new RenameColumn(
                  "rename-email",
                  "primary",
                  new TableName("public", "users"),
                  "email",
                  "email_address",
                  ReadPolicy.DEFAULT,
                  ShadowPolicy.DEFAULT,
                  UnanalysablePolicy.DEFAULT)));

  @ParameterizedTest(name = "{0} -> old {1}, new {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "insert into users (email) values ('a')          | true  | false",
        "update users set email_address = 'b'            | false | true",
        "select \"EMAIL\" from users                     | false | false",
        "select \"email\", email_address from users      | true  | true",
        "select * from users                             | true  | false",
        "select count(*) from users                      | true  | false",
        "select id from users                            | false | false",
        "select email from orders                        | false | false",
        "select 'email' from users                       | false | false",
        "select u.email from public.users u              | true  | false",
      })
  void of_countsOldAndNewNamesOfTheMentionedTable(String sql, boolean old, boolean neu) {
    NamesUsed used = NamesUsed.of(SqlTokens.scan(sql), PLANS);
    assertThat(used.oldOf()).isEqualTo(old ? List.of("rename-email") : List.of());
    assertThat(used.newOf()).isEqualTo(neu ? List.of("rename-email") : List.of());
  }
}
