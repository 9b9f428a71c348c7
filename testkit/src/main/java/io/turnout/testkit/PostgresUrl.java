package io.turnout.testkit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A libpq-style {@code postgresql://user:password@host:port/database} URL, as given in {@code
 * TURNOUT_TEST_PG_URL}. Query parameters are ignored.
 *
 * @see <a
 *     href="https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS">Connection
 *     URIs</a>
 */
record PostgresUrl(String user, String password, String host, int port, String database) {

  static PostgresUrl parse(String url) {
    String where = "TURNOUT_TEST_PG_URL '" + redact(url) + "'";
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(where + " is not a URL: " + e.getMessage(), e);
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException(where + " must start with postgresql://");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(where + " has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String user = "postgres";
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    String path = uri.getRawPath();
    String database = path == null || path.length() <= 1 ? "postgres" : decode(path.substring(1));
    return new PostgresUrl(
        user, password, host, uri.getPort() < 0 ? 5432 : uri.getPort(), database);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The URL with the password replaced, for messages. */
  static String redact(String url) {
    return url.replaceFirst("(://[^:@/]*:)[^@/]*@", "$1***@");
  }

  @Override
  public String toString() {
    return "postgresql://"
        + user
        + (password == null ? "" : ":***")
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }
}
