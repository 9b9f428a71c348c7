package io.turnout.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CLI command that did not do what was asked: exit code 1 (refused, conflict, unreachable) or 2
 * (bad usage), the one-line reason, and the API's error body for {@code --json}.
 */
public final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final transient JsonNode body;

  CliFailure(int exitCode, String message) {
    this(exitCode, message, null);
  }

  CliFailure(int exitCode, String message, JsonNode body) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.body = body;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The API's JSON error body, when there was one. */
  public JsonNode body() {
    return body;
  }
}
