package io.turnout.admin.api;

/**
 * A request the API answers with a 4xx/5xx and a JSON body {@code {"error": code, "message": …}};
 * nothing was changed.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;

  ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }
}
