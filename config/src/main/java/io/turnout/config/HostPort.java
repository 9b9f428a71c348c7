package io.turnout.config;

import java.util.Objects;

/**
 * A host and a TCP port, as in {@code listen: 127.0.0.1:6432} or {@code [::1]:6432}. Port 0 is
 * allowed and means "any free port" (tests listen on it).
 */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
  }

  /**
   * Parses {@code host:port}; an IPv6 address goes in brackets, {@code [::1]:6432}.
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static HostPort parse(String text) {
    String s = text.strip();
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + text + "': missing ']' after the IPv6 address");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.startsWith(":")) {
        throw new IllegalArgumentException(
            "'" + text + "': expected HOST:PORT, e.g. [" + host + "]:6432");
      }
      port = rest.substring(1);
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "'" + text + "': expected HOST:PORT, e.g. 127.0.0.1:6432");
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "'" + text + "': put an IPv6 address in brackets, e.g. [" + host + "]:" + port);
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text + "': host is missing (use 0.0.0.0:" + port + " for every interface)");
    }
    return new HostPort(host, parsePort(port, text, 0));
  }

  /** Parses a decimal port in {@code min..65535}; the message quotes {@code context}. */
  static int parsePort(String port, String context, int min) {
    if (port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + context + "': port '" + port + "' is not a number");
    }
    long p = port.length() > 6 ? Long.MAX_VALUE : Long.parseLong(port);
    if (p < min || p > 65535) {
      throw new IllegalArgumentException(
          "'" + context + "': port " + port + " is out of range (" + min + "..65535)");
    }
    return (int) p;
  }

  /**
   * True for {@code localhost}, {@code 127.x.x.x} and {@code ::1}: reachable from this host only.
   */
  public boolean isLoopback() {
    return host.equalsIgnoreCase("localhost")
        || host.startsWith("127.")
        || host.equals("::1")
        || host.equals("0:0:0:0:0:0:0:1");
  }

  /** {@code host:port}, with an IPv6 host in brackets; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
