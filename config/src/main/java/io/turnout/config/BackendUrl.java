package io.turnout.config;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A backend database, written as a libpq connection URI: {@code
 * postgresql://user:password@host:port/database?param=value} ({@code postgres://} too). User,
 * password, database and parameters are percent-decoded; {@code user}, {@code password} and {@code
 * dbname} given as parameters are folded into their fields. The port defaults to 5432.
 *
 * <p>{@link #toString()} and {@link #toJdbcUrl()} never contain the password: pass it to the driver
 * through {@link #jdbcProperties()} (or {@code HikariConfig.setPassword}).
 *
 * @see <a href="https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS">
 *     PostgreSQL: Connection URIs</a>
 */
public record BackendUrl(
    String host,
    int port,
    Optional<String> user,
    Optional<String> password,
    Optional<String> database,
    Map<String, String> params) {
  public static final int DEFAULT_PORT = 5432;

  public BackendUrl {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(database, "database");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /**
   * Parses a {@code postgresql://} or {@code postgres://} URI.
   *
   * @throws IllegalArgumentException with a message fit for an error report; it never quotes the
   *     password
   */
  public static BackendUrl parse(String text) {
    String s = text.strip();
    String shown = redact(s);
    String rest;
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("postgresql://")) {
      rest = s.substring("postgresql://".length());
    } else if (lower.startsWith("postgres://")) {
      rest = s.substring("postgres://".length());
    } else if (lower.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException(
          "'" + shown + "': write a libpq URL without 'jdbc:', e.g. postgresql://app@db:5432/app");
    } else {
      throw new IllegalArgumentException(
          "'"
              + shown
              + "' is not a PostgreSQL URL (expected postgresql://user@host:port/database)");
    }

    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    // The last '@' ends the user info, so an unescaped '@' or '/' in a password still parses.
    String userInfo = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
    }
    String hostPort = rest;
    String path = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      hostPort = rest.substring(0, slash);
      path = rest.substring(slash + 1);
    }

    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String u = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
      if (!u.isEmpty()) {
        user = Optional.of(decode(u, "user", shown));
      }
      if (colon >= 0) {
        password = Optional.of(decode(userInfo.substring(colon + 1), "password", shown));
      }
    }

    String host;
    int port = DEFAULT_PORT;
    if (hostPort.indexOf(',') >= 0) {
      throw new IllegalArgumentException(
          "'" + shown + "': several hosts are not supported; name one backend per host");
    }
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + shown + "': missing ']' after the IPv6 address");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new IllegalArgumentException(
              "'" + shown + "': unexpected '" + after + "' after host");
        }
        port = HostPort.parsePort(after.substring(1), shown, 1);
      }
    } else {
      int colon = hostPort.indexOf(':');
      host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
      if (colon >= 0) {
        port = HostPort.parsePort(hostPort.substring(colon + 1), shown, 1);
      }
      host = decode(host, "host", shown);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + shown + "': host is missing (Unix-domain sockets are not supported)");
    }

    Optional<String> database = Optional.empty();
    if (path != null && !path.isEmpty()) {
      database = Optional.of(decode(path, "database", shown));
    }

    Map<String, String> params = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "'" + shown + "': parameter '" + pair + "' needs a value (name=value)");
        }
        String name = decode(pair.substring(0, eq), "parameter name", shown);
        String value = decode(pair.substring(eq + 1), "parameter " + name, shown);
        switch (name) {
          case "user" -> user = lift(user, value, "user", shown);
          case "password" -> password = lift(password, value, "password", shown);
          case "dbname" -> database = lift(database, value, "database", shown);
          case "host", "hostaddr", "port" ->
              throw new IllegalArgumentException(
                  "'" + shown + "': give the " + name + " before the path, not as a parameter");
          default -> params.put(name, value);
        }
      }
    }
    return new BackendUrl(host, port, user, password, database, params);
  }

  /** This backend with another password (for a password given outside the URL). */
  public BackendUrl withPassword(Optional<String> newPassword) {
    return new BackendUrl(host, port, user, newPassword, database, params);
  }

  /**
   * {@code jdbc:postgresql://host:port/database?user=…&param=…} for pgJDBC, without the password.
   * Parameters are passed as written; pgJDBC understands the common libpq ones ({@code sslmode},
   * {@code options}, {@code application_name} is {@code ApplicationName} there).
   */
  public String toJdbcUrl() {
    StringBuilder b = new StringBuilder("jdbc:postgresql://").append(hostForUrl()).append(':');
    b.append(port).append('/');
    database.ifPresent(d -> b.append(encode(d)));
    char sep = '?';
    if (user.isPresent()) {
      b.append(sep).append("user=").append(encode(user.get()));
      sep = '&';
    }
    for (Map.Entry<String, String> p : params.entrySet()) {
      b.append(sep).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
      sep = '&';
    }
    return b.toString();
  }

  /** {@code user} and {@code password} for {@code DriverManager.getConnection(url, props)}. */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    user.ifPresent(u -> p.setProperty("user", u));
    password.ifPresent(pw -> p.setProperty("password", pw));
    return p;
  }

  /** The URL with the password shown as {@code ***}; safe for logs and error messages. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("postgresql://");
    if (user.isPresent() || password.isPresent()) {
      user.ifPresent(u -> b.append(encode(u)));
      if (password.isPresent()) {
        b.append(":***");
      }
      b.append('@');
    }
    b.append(hostForUrl()).append(':').append(port).append('/');
    database.ifPresent(d -> b.append(encode(d)));
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      b.append(sep).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
      sep = '&';
    }
    return b.toString();
  }

  private String hostForUrl() {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  private static Optional<String> lift(
      Optional<String> current, String value, String what, String shown) {
    if (current.isPresent()) {
      throw new IllegalArgumentException("'" + shown + "': " + what + " is given twice");
    }
    return Optional.of(value);
  }

  /** Hides the password in a URL we could not parse, so an error never prints it. */
  static String redact(String url) {
    int scheme = url.indexOf("://");
    int q = url.indexOf('?');
    String head = q >= 0 ? url.substring(0, q) : url;
    String tail = q >= 0 ? url.substring(q) : "";
    int at = head.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      int colon = head.indexOf(':', scheme + 3);
      if (colon >= 0 && colon < at) {
        head = head.substring(0, colon + 1) + "***" + head.substring(at);
      }
    }
    tail = tail.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    return head + tail;
  }

  private static String decode(String s, String what, String shown) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    // '%' and hex digits are ASCII, so decoding the UTF-8 bytes is exact.
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] != '%') {
        out.write(in[i]);
        continue;
      }
      int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
      int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException(
            "'" + shown + "': bad percent-escape in the " + what + " (expected %XX)");
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "'" + shown + "': the " + what + " is not valid UTF-8 after percent-decoding", e);
    }
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  private static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        b.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }
}
