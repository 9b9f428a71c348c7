package io.turnout.proxy.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TlsSettings;
import io.turnout.config.TurnoutConfig;
import io.turnout.proxy.session.SessionSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Turns a loaded {@link TurnoutConfig} into the settings the Netty server runs with. */
public final class ProxySettingsFactory {
  /** PostgreSQL's default authentication_timeout. */
  static final Duration AUTHENTICATION_TIMEOUT = Duration.ofSeconds(60);

  private ProxySettingsFactory() {}

  public static ProxySettings from(TurnoutConfig config) {
    ProxyLimits limits = config.proxy();
    BackendUrl backend = config.defaultBackendUrl();
    SessionSettings session =
        new SessionSettings(
            new InetSocketAddress(backend.host(), backend.port()),
            limits.maxMessageSize(),
            limits.connectTimeout(),
            AUTHENTICATION_TIMEOUT,
            limits.idleTimeout(),
            config.tls().map(ProxySettingsFactory::serverTls));
    return new ProxySettings(
        listenAddress(config.listen()),
        session,
        limits.maxClientConnections(),
        limits.shutdownGrace(),
        limits.effectiveWorkerThreads());
  }

  private static InetSocketAddress listenAddress(HostPort listen) {
    return new InetSocketAddress(listen.host(), listen.port());
  }

  /** Builds the server-side TLS context; a bad certificate or key is a configuration error. */
  static SslContext serverTls(TlsSettings tls) {
    try {
      return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tls: cannot load certificate "
              + tls.cert()
              + " / key "
              + tls.key()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
