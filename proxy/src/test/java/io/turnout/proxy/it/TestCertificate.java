package io.turnout.proxy.it;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed server certificate for localhost / 127.0.0.1, made with the JDK's own keytool (no
 * download, no openssl needed): a PKCS#12 key store for the proxy and the certificate as PEM for
 * clients to trust.
 */
record TestCertificate(Path keyStore, Path certificatePem) {
  private static final String PASSWORD = "turnout-it";

  static TestCertificate generate(Path dir) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path store = dir.resolve("turnout-it.p12");
    Path pem = dir.resolve("turnout-it.pem");
    keytool(
        List.of(
            keytool.toString(),
            "-genkeypair",
            "-alias",
            "turnout",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "7",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-keystore",
            store.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            PASSWORD,
            "-keypass",
            PASSWORD,
            "-noprompt"));
    keytool(
        List.of(
            keytool.toString(),
            "-exportcert",
            "-rfc",
            "-alias",
            "turnout",
            "-keystore",
            store.toString(),
            "-storepass",
            PASSWORD,
            "-file",
            pem.toString()));
    return new TestCertificate(store, pem);
  }

  private static void keytool(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + command + "\n" + output);
    }
  }

  /** The proxy's side: a Netty server context presenting this certificate. */
  SslContext serverContext() throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    return SslContextBuilder.forServer(kmf).build();
  }
}
