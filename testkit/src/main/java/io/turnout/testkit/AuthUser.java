package io.turnout.testkit;

import java.util.List;

/**
 * A login role that must authenticate with {@code method}, as named in pg_hba.conf ({@code md5},
 * {@code scram-sha-256} or {@code password}).
 *
 * @see <a href="https://www.postgresql.org/docs/current/auth-password.html">Password
 *     Authentication</a>
 */
public record AuthUser(String name, String password, String method) {

  public static final AuthUser MD5 = new AuthUser("turnout_md5", "md5-secret", "md5");
  public static final AuthUser SCRAM =
      new AuthUser("turnout_scram", "scram-secret", "scram-sha-256");
  public static final AuthUser CLEARTEXT =
      new AuthUser("turnout_cleartext", "clear-secret", "password");

  /** The fixtures every managed server has. */
  public static final List<AuthUser> FIXTURES = List.of(MD5, SCRAM, CLEARTEXT);

  @Override
  public String toString() {
    // No password in logs or assertion messages.
    return name + "(" + method + ")";
  }
}
