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

  @Test
  void touches_unicodeEscapedIdentifiers() {
    assertTrue(touches("insert into U&\"\\0075sers\" (email) values ('a')"));
    assertTrue(touches("insert into u&\"\\0075\\0073ers\" (email) values ('a')"));
    assertTrue(touches("select * from public.U&\"\\+000075sers\""));
    assertTrue(touches("select * from U&\"!0075sers\" UESCAPE '!'"));
    assertTrue(touches("select * from U&\"!0075sers\" uescape'!'"));
    assertFalse(touches("select * from U&\"\\0061udit\""));
    assertFalse(touches("select * from U&\"\\0055sers\"")); // "Users"
  }

  @Test
  void touches_malformedUnicodeEscapedIdentifier_countsAsATouch() {
    assertTrue(touches("select * from U&\"\\00zzsers\""));
    assertTrue(touches("select * from U&\"x0075sers\" UESCAPE '+'"));
  }

  @Test
  void mayTouch_unicodeEscapeAnywhere_mayTouch() {
    assertTrue(filter.mayTouch("select * from U&\"\\0075sers\""));
    assertTrue(filter.mayTouch("select * from u&\"x\""));
    assertFalse(filter.mayTouch("select a & b from t"));
  }

  @Test
  void touches_otherSpellingsOfTheName() {
    assertTrue(touches("select * from PUBLIC.USERS"));
    assertTrue(touches("select * from \"public\".users"));
    assertTrue(touches("select * from public . \"users\""));
    assertTrue(touches("select * from public/**/./**/users"));
    assertTrue(touches("insert into \"users\" (email) values ('a')"));
    assertFalse(touches("select * from \"USERS\""));
    assertFalse(touches("select * from \"users \""));
  }

  @Test
  void touches_identifierPostgresTruncatesToAManagedName() {
    String name = "t".repeat(63); // NAMEDATALEN - 1 bytes, the longest name PostgreSQL keeps
    PreFilter f = new PreFilter(List.of(new TableName("public", name)));
    String sql = "insert into " + name + "_and_more (x) values (1)";
    assertTrue(f.mayTouch(sql));
    assertTrue(f.touches(SqlTokens.scan(sql)));
    assertTrue(f.touches(SqlTokens.scan("insert into \"" + name + "xyz\" (x) values (1)")));
    assertFalse(f.touches(SqlTokens.scan("insert into " + name.substring(1) + " (x) values (1)")));
  }
}
