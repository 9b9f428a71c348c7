package io.turnout.router.lexical;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatementKindTest {
  private static StatementKind kind(String sql) {
    return StatementKind.of(SqlTokens.scan(sql));
  }

  @Test
  void of_queriesAndDml() {
    assertEquals(StatementKind.QUERY, kind("/* c */ (select 1) union select 2"));
    assertEquals(StatementKind.QUERY, kind("with x as (select 1) select * from x for update"));
    assertEquals(StatementKind.QUERY, kind("select * from t for no key update"));
    assertEquals(StatementKind.DML, kind("with d as (delete from t returning *) select * from d"));
    assertEquals(StatementKind.DML, kind("UPDATE t SET a = 1"));
    assertEquals(StatementKind.DML, kind("merge into t using s on true when matched then delete"));
  }

  @Test
  void of_opaqueStatementsAreClassifiedByWhatTheyDo() {
    assertEquals(StatementKind.COPY_FROM, kind("copy users (id, email) from stdin"));
    assertEquals(StatementKind.OPAQUE_READ, kind("copy (select * from users) to stdout"));
    assertEquals(StatementKind.OPAQUE_READ, kind("copy users to stdout"));
    assertEquals(StatementKind.OPAQUE_WRITE, kind("do $$ begin end $$"));
    assertEquals(StatementKind.OPAQUE_WRITE, kind("explain (analyze, costs off) delete from t"));
    assertEquals(StatementKind.UTILITY, kind("explain (analyze false) delete from t"));
    assertEquals(StatementKind.OPAQUE_READ, kind("explain analyze select 1"));
    assertEquals(StatementKind.UTILITY, kind("explain select 1"));
    assertEquals(StatementKind.OPAQUE_WRITE, kind("prepare p(int) as insert into t values ($1)"));
    assertEquals(StatementKind.OPAQUE_READ, kind("prepare p as select 1"));
    assertEquals(StatementKind.UTILITY, kind("alter table users add column x int"));
    assertEquals(StatementKind.UTILITY, kind(""));
  }
}
