package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * One parameter value of a Bind, as text: what a read binds to its migration's key column, hashed
 * for its sticky path. A value in text format is its text; one in binary format is decoded for the
 * types a key column has (integers, uuid, text types), so {@code 42} hashes alike whether pgJDBC
 * sends it as binary int8 or node-postgres as text. A uuid's text is put in lower case, as
 * PostgreSQL prints it.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Bind</a>
 */
public final class BindParameter {
  static final int NAME = 19;
  static final int INT8 = 20;
  static final int INT2 = 21;
  static final int INT4 = 23;
  static final int TEXT = 25;
  static final int BPCHAR = 1042;
  static final int VARCHAR = 1043;
  static final int UUID_OID = 2950;

  private BindParameter() {}

  /**
   * The text of parameter {@code n} (1-based) of a Bind, or null when it is NULL, missing, in a
   * binary format this does not decode, or the message is malformed.
   *
   * @param payload the Bind frame's payload
   * @param rest where the format codes start, from the payload's reader index ({@link
   *     BindMessage#restOffset})
   * @param typeOid the parameter's type (as declared by the Parse, else the key column's)
   */
  public static String text(ByteBuf payload, int rest, int n, int typeOid) {
    int at = payload.readerIndex() + rest;
    int end = payload.writerIndex();
    if (n < 1 || at + 2 > end) {
      return null;
    }
    int formats = payload.getUnsignedShort(at);
    int formatsAt = at + 2;
    int paramsAt = formatsAt + 2 * formats;
    if (paramsAt + 2 > end || n > payload.getUnsignedShort(paramsAt)) {
      return null;
    }
    if (formats > 1 && n > formats) {
      return null; // PostgreSQL refuses this Bind itself
    }
    int format = formats == 0 ? 0 : payload.getShort(formatsAt + 2 * (formats == 1 ? 0 : n - 1));
    int i = paramsAt + 2;
    for (int p = 1; p < n; p++) {
      if (i + 4 > end) {
        return null;
      }
      int len = payload.getInt(i);
      i += 4 + Math.max(len, 0);
    }
    if (i + 4 > end) {
      return null;
    }
    int len = payload.getInt(i);
    int from = i + 4;
    if (len < 0 || from + len > end) {
      return null;
    }
    if (format == 0) {
      String text = payload.toString(from, len, StandardCharsets.UTF_8);
      return typeOid == UUID_OID ? text.toLowerCase(Locale.ROOT) : text;
    }
    return binary(payload, from, len, typeOid);
  }

  private static String binary(ByteBuf b, int at, int len, int typeOid) {
    switch (typeOid) {
      case INT2, INT4, INT8 -> {
        // By length, so an int4 sent for an int8 column is still read as the number it is.
        return switch (len) {
          case 2 -> Short.toString(b.getShort(at));
          case 4 -> Integer.toString(b.getInt(at));
          case 8 -> Long.toString(b.getLong(at));
          default -> null;
        };
      }
      case UUID_OID -> {
        return len == 16 ? new UUID(b.getLong(at), b.getLong(at + 8)).toString() : null;
      }
      case TEXT, VARCHAR, BPCHAR, NAME -> {
        return b.toString(at, len, StandardCharsets.UTF_8);
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * The type OID the Parse declared for parameter {@code n} ({@code types} as on the wire), or 0.
   */
  public static int declaredType(byte[] types, int n) {
    if (types == null || types.length < 2) {
      return 0;
    }
    int count = ((types[0] & 0xff) << 8) | (types[1] & 0xff);
    int at = 2 + 4 * (n - 1);
    if (n < 1 || n > count || at + 4 > types.length) {
      return 0;
    }
    return ((types[at] & 0xff) << 24)
        | ((types[at + 1] & 0xff) << 16)
        | ((types[at + 2] & 0xff) << 8)
        | (types[at + 3] & 0xff);
  }
}
