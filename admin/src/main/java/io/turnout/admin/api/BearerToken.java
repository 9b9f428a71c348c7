package io.turnout.admin.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** The admin token, compared in constant time so response timing tells nothing about it. */
final class BearerToken {
  private final byte[] expected;

  BearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the admin token must not be empty");
    }
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  /** True when {@code authorization} is {@code Bearer <the token>}. */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
  }
}
