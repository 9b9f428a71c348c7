package io.turnout.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.router.lexical.SqlTokens;
import org.junit.jupiter.api.Test;

class LiteralSlotsTest {
  private static LiteralSlots of(String sql) {
    return LiteralSlots.of(SqlTokens.scan(sql));
  }

  @Test
  void valuesInValuePositions_areLifted_andRestored() {
    LiteralSlots s =
        of("update users set email = 'a@x', age = -5 where id in (1, 2) and x = '''q'");
    assertThat(s.shape())
        .isEqualTo("update users set email = $1, age = -$2 where id in ($3, $4) and x = $5");
    assertThat(s.restore("update users set email = $1, email_address = $1 where id in ($3, $4)"))
        .isEqualTo("update users set email = 'a@x', email_address = 'a@x' where id in (1, 2)");
  }

  @Test
  void placeholdersAlreadyThere_keepTheirNumbers() {
    LiteralSlots s = of("select email from users where id = $1 and status = 'on'");
    assertThat(s.shape()).isEqualTo("select email from users where id = $1 and status = $2");
    assertThat(s.restore("select email_address AS email from users where id = $1 and status = $2"))
        .isEqualTo("select email_address AS email from users where id = $1 and status = 'on'");
  }

  @Test
  void typedLiterals_positions_limitsAndKeywords_stayAsWritten() {
    for (String sql :
        new String[] {
          "select email from users order by 1, 2 limit 10",
          "select date '2020-01-01', e'\\n', interval '1 day' from users",
          "select email from users group by 1",
          "select 5 from users where deleted_at is null and flag = true",
        }) {
      assertThat(of(sql)).as(sql).isNull();
    }
    assertThat(of("select * from users where id = 3 order by 2 limit 5").shape())
        .isEqualTo("select * from users where id = $1 order by 2 limit 5");
    assertThat(
            of("select * from users where (id, 1) = (7, 1) order by (select 1), 2 offset 3")
                .shape())
        .isEqualTo("select * from users where (id, $1) = ($2, $3) order by (select 1), 2 offset 3");
  }

  @Test
  void restore_leavesStringsAndCommentsAlone() {
    LiteralSlots s = of("insert into users (email) values ('x')");
    assertThat(s.restore("insert into users (email, note) values ($1, '$1') -- $1"))
        .isEqualTo("insert into users (email, note) values ('x', '$1') -- $1");
  }
}
