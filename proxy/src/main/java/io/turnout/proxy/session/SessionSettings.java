package io.turnout.proxy.session;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * What a session needs to know about its surroundings: where the backend is, the limits it
 * enforces, and the TLS context offered to clients (empty: SSLRequest is answered 'N').
 */
public record SessionSettings(
    InetSocketAddress backend,
    int maxMessageSize,
    Duration connectTimeout,
    Duration authenticationTimeout,
    Duration idleTimeout,
    Optional<SslContext> clientTls) {

  int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }
}
