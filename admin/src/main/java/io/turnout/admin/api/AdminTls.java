package io.turnout.admin.api;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.turnout.config.TlsSettings;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The admin API's TLS listener. The certificate and key are the same PEM files the proxy's own
 * {@code tls} takes, read by the same code (Netty's PEM reader, on the JDK provider so the result
 * is a plain {@link SSLContext} Jetty can use): one format for an operator to produce, and a bad
 * file is refused at start with its path, never at the first request.
 */
final class AdminTls {
  private AdminTls() {}

  static SSLContext serverContext(TlsSettings tls) {
    try {
      JdkSslContext context =
          (JdkSslContext)
              SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
                  .sslProvider(SslProvider.JDK)
                  .build();
      return context.context();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "admin.tls: cannot load certificate "
              + tls.cert()
              + " / key "
              + tls.key()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * An HTTPS-only connector: Javalin opens its own plain connector only when none is configured, so
   * with this one the token never crosses the network in clear text.
   */
  static Connector connector(
      Server server, HttpConfiguration http, SSLContext context, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(context);
    HttpConfiguration https = new HttpConfiguration(http);
    // Scheme https on requests; no SNI host check, since operators reach it by IP as often as not.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server, ssl, new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }
}
