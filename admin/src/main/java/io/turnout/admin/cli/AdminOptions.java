package io.turnout.admin.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the admin API is and how to authenticate: shared by every CLI command. */
public final class AdminOptions {
  @Option(
      names = "--admin",
      paramLabel = "URL",
      defaultValue = "${env:TURNOUT_ADMIN_URL:-http://127.0.0.1:9090}",
      description = "Admin API URL (env TURNOUT_ADMIN_URL; default ${DEFAULT-VALUE}).")
  String admin;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:TURNOUT_ADMIN_TOKEN}",
      description = "Admin token (env TURNOUT_ADMIN_TOKEN).")
  String token;

  @Option(
      names = "--admin-ca",
      paramLabel = "FILE",
      defaultValue = "${env:TURNOUT_ADMIN_CA}",
      description =
          "PEM certificate(s) to trust for an https:// admin API whose certificate the JDK's"
              + " trust store does not know, e.g. a self-signed one (env TURNOUT_ADMIN_CA).")
  Path adminCa;

  @Option(names = "--json", description = "Print JSON (the API's answer) instead of text.")
  boolean json;

  AdminClient client() {
    return new AdminClient(admin, token, Optional.ofNullable(adminCa));
  }
}
