package io.turnout.proxy.routing;

import static io.turnout.proxy.routing.SessionSetting.SEARCH_PATH;
import static io.turnout.proxy.routing.SessionSetting.STICKY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionSettingTest {
  @Test
  void stickyKey_inItsSpellings() {
    assertThat(SessionSetting.of("SET turnout.sticky_key = 'user-42'"))
        .contains(new SessionSetting(STICKY_KEY, List.of("user-42"), false));
    assertThat(SessionSetting.of("  set session turnout.sticky_key to 'o''brien';  "))
        .contains(new SessionSetting(STICKY_KEY, List.of("o'brien"), false));
    assertThat(SessionSetting.of("SET LOCAL turnout.sticky_key = tenant_7"))
        .contains(new SessionSetting(STICKY_KEY, List.of("tenant_7"), true));
    assertThat(SessionSetting.of("set turnout.sticky_key=42"))
        .contains(new SessionSetting(STICKY_KEY, List.of("42"), false));
    assertThat(SessionSetting.of("select set_config('turnout.sticky_key', 'u1', false)"))
        .contains(new SessionSetting(STICKY_KEY, List.of("u1"), false));
    assertThat(SessionSetting.of("SELECT pg_catalog.set_config('turnout.sticky_key', 'u1', true)"))
        .contains(new SessionSetting(STICKY_KEY, List.of("u1"), true));
  }

  @Test
  void searchPath_elementsFoldedAsPostgresFoldsThem() {
    assertThat(SessionSetting.of("SET search_path TO app, public"))
        .contains(new SessionSetting(SEARCH_PATH, List.of("app", "public"), false));
    assertThat(SessionSetting.of("set search_path = \"$user\", \"My App\", PUBLIC;"))
        .contains(new SessionSetting(SEARCH_PATH, List.of("$user", "My App", "public"), false));
    assertThat(SessionSetting.of("SET LOCAL search_path = 'App'"))
        .contains(new SessionSetting(SEARCH_PATH, List.of("App"), true));
    assertThat(
            SessionSetting.of("select set_config('search_path', '\"$user\", App, \"B\"', false)"))
        .contains(new SessionSetting(SEARCH_PATH, List.of("$user", "app", "B"), false));
  }

  @Test
  void resets() {
    assertThat(SessionSetting.of("RESET turnout.sticky_key"))
        .contains(new SessionSetting(STICKY_KEY, null, false));
    assertThat(SessionSetting.of("set search_path to default"))
        .contains(new SessionSetting(SEARCH_PATH, null, false));
    for (String sql : new String[] {"reset all;", "DISCARD ALL"}) {
      assertThat(SessionSetting.of(sql)).as(sql).contains(new SessionSetting(null, null, false));
    }
  }

  @Test
  void otherStatements_areNotSettings() {
    for (String sql :
        new String[] {
          "SET application_name = 'x'",
          "set turnout.sticky_keys = 'x'",
          "set turnout.sticky_key = 'a', 'b'",
          "select * from users",
          "SET turnout.sticky_key = 'a'; select 1",
          "reset application_name",
          "set_config",
        }) {
      assertThat(SessionSetting.of(sql)).as(sql).isEqualTo(Optional.empty());
    }
  }
}
