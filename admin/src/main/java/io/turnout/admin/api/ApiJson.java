package io.turnout.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** Request bodies in and JSON answers out, the same way for every endpoint. */
final class ApiJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private ApiJson() {}

  /** The body as a JSON object, or a 400 that says what is wrong with it and where. */
  static JsonNode parseBody(Context ctx, String example) {
    String text = ctx.body();
    if (text == null || text.isBlank()) {
      throw new ApiError(400, "bad_request", "the request needs a JSON body, e.g. " + example);
    }
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw new ApiError(400, "bad_request", "the body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiError(
          400,
          "malformed_json",
          "the body is not valid JSON: "
              + e.getOriginalMessage()
              + " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
  }

  static ObjectNode errorBody(String code, String message) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", code);
    n.put("message", message);
    return n;
  }

  static void send(Context ctx, int status, JsonNode body) {
    try {
      ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
