package io.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.load.ConfigLoader;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurnoutConfigTest {
  private static final BackendUrl DB = BackendUrl.parse("postgresql://app@127.0.0.1:5432/app");

  @Test
  void minimal_listensAndProxiesToOnePrimaryWithDefaults() {
    TurnoutConfig c = TurnoutConfig.minimal(HostPort.parse("127.0.0.1:7000"), DB);

    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 7000));
    assertThat(c.backends()).containsExactly(Map.entry("primary", DB));
    assertThat(c.defaultBackend()).isEqualTo("primary");
    assertThat(c.defaultBackendUrl()).isEqualTo(DB);
    assertThat(c.admin()).isEqualTo(AdminSettings.DEFAULTS);
    assertThat(c.proxy()).isEqualTo(ProxyLimits.DEFAULTS);
    assertThat(c.tls()).isEmpty();
    assertThat(c.migrations()).isEmpty();
  }

  @Test
  void withListen_overridesOnlyTheListenAddress() {
    TurnoutConfig c = TurnoutConfig.minimal(TurnoutConfig.DEFAULT_LISTEN, DB);

    TurnoutConfig moved = c.withListen(HostPort.parse("[::1]:6543"));

    assertThat(moved.listen()).isEqualTo(new HostPort("::1", 6543));
    assertThat(moved.withListen(c.listen())).isEqualTo(c);
  }

  @Test
  void withBackend_replacesTheDefaultBackendAndKeepsItsName() throws Exception {
    TurnoutConfig c =
        new ConfigLoader(Map.of())
            .load(
                """
                backends:
                  blue: postgresql://app@blue/app
                  green: postgresql://app@green/app
                default_backend: green
                migrations:
                  - { id: r, kind: rename_column, table: users, from: a, to: b }
                """,
                "t.yaml");
    BackendUrl other = BackendUrl.parse("postgresql://app@other:5433/app");

    TurnoutConfig overridden = c.withBackend(other);

    assertThat(overridden.defaultBackend()).isEqualTo("green");
    assertThat(overridden.defaultBackendUrl()).isEqualTo(other);
    assertThat(overridden.backend("blue")).isEqualTo(c.backend("blue"));
    assertThat(overridden.migrations()).isEqualTo(c.migrations());
  }

  @Test
  void toString_neverShowsPasswordOrToken() {
    TurnoutConfig c =
        TurnoutConfig.minimal(
                TurnoutConfig.DEFAULT_LISTEN, BackendUrl.parse("postgresql://app:hunter2@db/app"))
            .withAdmin(new AdminSettings(AdminSettings.DEFAULT_LISTEN, Optional.of("t0ps3cret")));

    assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("t0ps3cret").contains("***");
  }

  @Test
  void constructor_defaultBackendMustBeABackend() {
    assertThatThrownBy(
            () ->
                new TurnoutConfig(
                    TurnoutConfig.DEFAULT_LISTEN,
                    AdminSettings.DEFAULTS,
                    Map.of("primary", DB),
                    "blue",
                    ProxyLimits.DEFAULTS,
                    Optional.empty(),
                    java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("default backend 'blue' is not one of [primary]");
  }

  @Test
  void proxyLimits_rejectNonsenseWithReadableMessage() {
    assertThatThrownBy(
            () ->
                new ProxyLimits(
                    0,
                    ProxyLimits.DEFAULTS.maxMessageSize(),
                    ProxyLimits.DEFAULTS.connectTimeout(),
                    ProxyLimits.DEFAULTS.idleTimeout(),
                    ProxyLimits.DEFAULTS.shutdownGrace(),
                    0))
        .hasMessage("maxClientConnections must be at least 1, was 0");
  }
}
