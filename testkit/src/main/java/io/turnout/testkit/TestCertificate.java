package io.turnout.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for localhost / 127.0.0.1, made with the JDK's own keytool (no
 * download, no openssl needed): a PKCS#12 key store for the proxy and the certificate as PEM for
 * clients to trust, and the certificate and its private key (PKCS#8) as the PEM files Turnout's
 * {@code tls} / {@code admin.tls} settings take.
 */
public record TestCertificate(Path keyStore, Path certificatePem, Path privateKeyPem) {
  private static final String PASSWORD = "turnout-it";

  public static TestCertificate generate(Path dir) throws IOException, InterruptedException {
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
    Path key = dir.resolve("turnout-it.key");
    writePrivateKeyPem(store, key);
    return new TestCertificate(store, pem, key);
  }

  private static void keytool(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + command + "\n" + output);
    }
  }

  /** keytool cannot export a private key, so read it from the store and write PKCS#8 PEM. */
  private static void writePrivateKeyPem(Path store, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      Key key = ks.getKey("turnout", PASSWORD.toCharArray());
      String body =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded());
      Files.writeString(
          target, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the generated key from " + store, e);
    }
  }
}
