package io.turnout.router.lexical;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.plan.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreFilterTest {
  private final PreFilter filter = new PreFilter(List.of(new TableName("public", "users")));

  private boolean touches(String sql) {
    return filter.mayTouch(sql) && filter.touches(SqlTokens.scan(sql));
  }

  @Test
  void touches_unquotedQuotedQualifiedAndCaseFoldedNames() {
    assertTrue(touches("select * from users"));
    assertTrue(touches("SELECT * FROM USERS"));
    assertTrue(touches("select * from \"users\""));
    assertTrue(touches("select * from public.users u"));
    assertTrue(touches("select * from \"public\".\"users\""));
  }

  @Test
  void touches_notForOtherNamesStringsCommentsOrOtherCase() {
    assertFalse(touches("select * from auth_user"));
    assertFalse(touches("select * from users_archive"));
    assertFalse(touches("select 'users' from t"));
    assertFalse(touches("select 1 -- from users\n"));
    assertFalse(touches("select 1 /* users */"));
    assertFalse(touches("select * from \"Users\""));
  }

  @Test
  void touches_dollarQuotedBodiesCountAsCode() {
    assertTrue(touches("do $$ begin update users set x = 1; end $$"));
  }

  @Test
  void mayTouch_isASupersetThatIgnoresCase() {
    assertTrue(filter.mayTouch("select 1 from UsErS"));
    assertTrue(filter.mayTouch("select 'users'"));
    assertFalse(filter.mayTouch("select * from orders where id = $1"));
  }

  @Test
  void mayTouch_findsQuotedMixedCaseManagedNames() {
    PreFilter f = new PreFilter(List.of(new TableName("public", "User")));
    assertTrue(f.mayTouch("select * from \"User\""));
    assertTrue(f.touches(SqlTokens.scan("select * from \"User\"")));
    assertFalse(f.touches(SqlTokens.scan("select * from user_x")));
  }
}
