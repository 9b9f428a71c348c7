package io.turnout.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's side of the admin API: one request, JSON back, and every failure turned into a {@link
 * CliFailure} with the one line an operator should read.
 */
final class AdminClient {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http;
  private final URI base;
  private final String token;

  AdminClient(String baseUrl, String token, Optional<Path> trustedCertificates) {
    String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    try {
      this.base = URI.create(b);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(2, "--admin '" + baseUrl + "' is not a URL: " + e.getMessage());
    }
    if (base.getScheme() == null || !base.getScheme().matches("https?")) {
      throw new CliFailure(2, "--admin '" + baseUrl + "' must be an http:// or https:// URL");
    }
    this.token = token;
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    trustedCertificates.ifPresent(pem -> client.sslContext(trusting(pem)));
    this.http = client.build();
  }

  /** An SSL context that trusts exactly the certificates in {@code pem}. */
  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("admin-ca-" + i++, c);
      }
      if (i == 0) {
        throw new CliFailure(2, "--admin-ca " + pem + " holds no PEM certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new CliFailure(2, "--admin-ca " + pem + ": " + e.getMessage());
    }
  }

  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(base.getPath() + path)).GET());
  }

  JsonNode post(String path, JsonNode body) {
    return send(
        HttpRequest.newBuilder(base.resolve(base.getPath() + path))
            .header("Content-Type", "application/json")
            .header("X-Turnout-Actor", actor())
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  ObjectMapper json() {
    return json;
  }

  private JsonNode send(HttpRequest.Builder b) {
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    b.timeout(Duration.ofSeconds(30));
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CliFailure(
          1, "cannot reach the admin API at " + base + " (is turnout serve running? --admin URL)");
    } catch (SSLHandshakeException e) {
      throw new CliFailure(
          1,
          "TLS handshake with the admin API at "
              + base
              + " failed: "
              + e.getMessage()
              + " (a self-signed certificate is trusted with --admin-ca FILE)");
    } catch (IOException e) {
      throw new CliFailure(1, "admin API at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(1, "interrupted");
    }
    JsonNode body;
    try {
      body = json.readTree(r.body());
    } catch (IOException e) {
      throw new CliFailure(1, "admin API answered " + r.statusCode() + " without JSON");
    }
    if (r.statusCode() >= 400) {
      String message = body.path("message").asText("HTTP " + r.statusCode());
      throw new CliFailure(r.statusCode() == 400 ? 2 : 1, message, body);
    }
    return body;
  }

  /** Who the audit log names: the operator's login, as ssh and sudo know it. */
  private static String actor() {
    String user = System.getenv("SUDO_USER");
    if (user == null || user.isBlank()) {
      user = System.getProperty("user.name", "unknown");
    }
    return user + " (cli)";
  }
}
