package io.turnout.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS to clients: a PEM certificate chain and its PEM private key. The files are read when the
 * proxy starts, not when the plan file is loaded, so that loading stays free of side effects.
 */
public record TlsSettings(Path cert, Path key) {
  public TlsSettings {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }
}
