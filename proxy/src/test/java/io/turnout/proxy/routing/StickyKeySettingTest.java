package io.turnout.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StickyKeySettingTest {
  @Test
  void set_inItsSpellings() {
    assertThat(StickyKeySetting.of("SET turnout.sticky_key = 'user-42'"))
        .contains(new StickyKeySetting("user-42", false));
    assertThat(StickyKeySetting.of("  set session turnout.sticky_key to 'o''brien';  "))
        .contains(new StickyKeySetting("o'brien", false));
    assertThat(StickyKeySetting.of("SET LOCAL turnout.sticky_key = tenant_7"))
        .contains(new StickyKeySetting("tenant_7", true));
    assertThat(StickyKeySetting.of("set turnout.sticky_key=42"))
        .contains(new StickyKeySetting("42", false));
  }

  @Test
  void resets() {
    for (String sql :
        new String[] {
          "RESET turnout.sticky_key",
          "reset all;",
          "DISCARD ALL",
          "set turnout.sticky_key to default"
        }) {
      assertThat(StickyKeySetting.of(sql)).as(sql).contains(StickyKeySetting.RESET_TO_SESSION);
    }
  }

  @Test
  void setConfig() {
    assertThat(StickyKeySetting.of("select set_config('turnout.sticky_key', 'u1', false)"))
        .contains(new StickyKeySetting("u1", false));
    assertThat(
            StickyKeySetting.of("SELECT pg_catalog.set_config('turnout.sticky_key', 'u1', true)"))
        .contains(new StickyKeySetting("u1", true));
  }

  @Test
  void otherStatements_areNotSettings() {
    for (String sql :
        new String[] {
          "SET application_name = 'x'",
          "set turnout.sticky_keys = 'x'",
          "select * from users",
          "SET turnout.sticky_key = 'a'; select 1",
          "reset application_name",
          "set_config",
        }) {
      assertThat(StickyKeySetting.of(sql)).as(sql).isEqualTo(Optional.empty());
    }
  }
}
