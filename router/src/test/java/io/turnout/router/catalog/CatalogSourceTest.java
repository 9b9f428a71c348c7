package io.turnout.router.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.catalog.Catalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogSourceTest {
  @Test
  void changesSchema_ddlAndDoBlocks() {
    assertTrue(CatalogSource.changesSchema("ALTER TABLE users ADD COLUMN nickname text"));
    assertTrue(CatalogSource.changesSchema("/* x */ create index concurrently i on t (a)"));
    assertTrue(CatalogSource.changesSchema("drop table if exists tmp"));
    assertTrue(CatalogSource.changesSchema("COMMENT ON COLUMN users.email IS 'x'"));
    assertTrue(
        CatalogSource.changesSchema("do $$ begin execute 'alter table t add c int'; end $$"));
  }

  @Test
  void changesSchema_notForQueriesDmlOrSessionCommands() {
    assertFalse(CatalogSource.changesSchema("select 'alter table' from t"));
    assertFalse(CatalogSource.changesSchema("update t set a = 1"));
    assertFalse(CatalogSource.changesSchema("SET search_path TO billing"));
    assertFalse(CatalogSource.changesSchema("truncate t"));
  }

  @Test
  void set_replacesTheSnapshotSeenByTheRouter() {
    Catalog a = new Catalog(List.of("public"), Map.of());
    Catalog b = new Catalog(List.of("app"), Map.of());
    CatalogSource source = new CatalogSource(a);
    assertSame(a, source.get());
    source.set(b);
    assertSame(b, source.get());
  }
}
