package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

  @Test
  void parse_full() {
    assertEquals(
        new PostgresUrl("app", "s3cret", "db.example", 6543, "shop"),
        PostgresUrl.parse("postgresql://app:s3cret@db.example:6543/shop"));
  }

  @Test
  void parse_defaults() {
    assertEquals(
        new PostgresUrl("postgres", null, "localhost", 5432, "postgres"),
        PostgresUrl.parse("postgres://localhost"));
  }

  @Test
  void parse_percentEncodedPasswordAndIpv6() {
    assertEquals(
        new PostgresUrl("u", "p@ss:w/rd+", "::1", 5432, "d"),
        PostgresUrl.parse("postgresql://u:p%40ss%3Aw%2Frd+@[::1]:5432/d?sslmode=disable"));
  }

  @Test
  void parse_errorsDoNotLeakThePassword() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PostgresUrl.parse("mysql://u:topsecret@h/d"));
    assertTrue(e.getMessage().contains("must start with postgresql://"), e.getMessage());
    assertTrue(!e.getMessage().contains("topsecret"), e.getMessage());
    assertEquals(
        "postgresql://u:***@h:5432/d",
        PostgresUrl.parse("postgresql://u:topsecret@h/d").toString());
  }

  @Test
  void jdbcUrl_bracketsIpv6() {
    assertEquals("jdbc:postgresql://[::1]:5432/x", new FakeServer("::1", 5432).jdbcUrl("x"));
    assertEquals(
        "jdbc:postgresql://127.0.0.1:5432/postgres", new FakeServer("127.0.0.1", 5432).jdbcUrl());
  }

  static final class FakeServer extends BaseServer {
    FakeServer(String host, int port) {
      super(
          "fake",
          "fake",
          host,
          port,
          "postgres",
          null,
          "postgres",
          false,
          java.util.Optional.empty());
    }

    @Override
    void stop() {}
  }
}
