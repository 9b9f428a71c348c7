package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An ErrorResponse ('E') the proxy raises itself. Severity is one of ERROR, FATAL, PANIC; both the
 * localized (S) and non-localized (V) fields are sent, as PostgreSQL 9.6+ does.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-error-fields.html">Error and
 *     notice fields</a>
 */
public record ErrorResponse(String severity, String sqlState, String message, String detail) {
  public ErrorResponse {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(sqlState, "sqlState");
    Objects.requireNonNull(message, "message");
  }

  public static ErrorResponse fatal(String sqlState, String message) {
    return new ErrorResponse("FATAL", sqlState, message, null);
  }

  public static ErrorResponse error(String sqlState, String message) {
    return new ErrorResponse("ERROR", sqlState, message, null);
  }

  public ErrorResponse withDetail(String newDetail) {
    return new ErrorResponse(severity, sqlState, message, newDetail);
  }

  public ByteBuf encode(ByteBufAllocator alloc) {
    ByteBuf buf = alloc.buffer(64 + message.length());
    buf.writeByte(BackendType.ERROR_RESPONSE);
    int lengthIndex = buf.writerIndex();
    buf.writeInt(0);
    field(buf, 'S', severity);
    field(buf, 'V', severity);
    field(buf, 'C', sqlState);
    field(buf, 'M', message);
    if (detail != null) {
      field(buf, 'D', detail);
    }
    buf.writeByte(0);
    buf.setInt(lengthIndex, buf.writerIndex() - lengthIndex);
    return buf;
  }

  private static void field(ByteBuf buf, char code, String value) {
    buf.writeByte(code);
    buf.writeCharSequence(value, StandardCharsets.UTF_8);
    buf.writeByte(0);
  }
}
