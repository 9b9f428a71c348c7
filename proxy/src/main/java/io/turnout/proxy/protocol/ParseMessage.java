package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The parts of a Parse message Turnout reads or replaces: statement name, query text and where the
 * parameter type OIDs start. Re-encoding changes only the text; the name and the parameter types
 * are copied as bytes.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Parse</a>
 */
public record ParseMessage(String name, String sql, int typesOffset) {
  /** The OID of {@code text}: what an unspecified (0) parameter type becomes in a refusal. */
  static final int TEXT_OID = 25;

  /** Decodes {@code payload} (a Parse frame's payload); null when it is malformed. */
  public static ParseMessage decode(ByteBuf payload) {
    int from = payload.readerIndex();
    int to = payload.writerIndex();
    int nameEnd = payload.indexOf(from, to, (byte) 0);
    if (nameEnd < 0) {
      return null;
    }
    int sqlEnd = payload.indexOf(nameEnd + 1, to, (byte) 0);
    if (sqlEnd < 0 || to - (sqlEnd + 1) < 2) {
      return null;
    }
    int types = payload.getUnsignedShort(sqlEnd + 1);
    if (to - (sqlEnd + 3) != 4 * types) {
      return null;
    }
    return new ParseMessage(
        payload.toString(from, nameEnd - from, StandardCharsets.UTF_8),
        payload.toString(nameEnd + 1, sqlEnd - nameEnd - 1, StandardCharsets.UTF_8),
        sqlEnd + 1 - from);
  }

  /** The parameter types of {@code payload} as they are on the wire (int16 count, int32 OIDs). */
  public byte[] types(ByteBuf payload) {
    byte[] types = new byte[payload.readableBytes() - typesOffset];
    payload.getBytes(payload.readerIndex() + typesOffset, types);
    return types;
  }

  /**
   * A Parse of {@code newSql} under the same name with the same parameter types as {@code payload};
   * with {@code unspecifiedAsText}, types left 0 (for the server to infer) become {@code text}, for
   * a statement that does not use its parameters (a refusal) yet must accept the client's Bind.
   */
  public ByteBuf withSql(
      ByteBuf payload, String newSql, boolean unspecifiedAsText, ByteBufAllocator alloc) {
    return encode(alloc, name, newSql, types(payload), unspecifiedAsText);
  }

  /** A whole Parse frame: {@code types} as {@link #types} gives them. */
  public static ByteBuf encode(
      ByteBufAllocator alloc, String name, String sql, byte[] types, boolean unspecifiedAsText) {
    ByteBuf out =
        alloc.buffer(Frame.HEADER_LENGTH + name.length() + sql.length() + types.length + 8);
    out.writeByte(FrontendType.PARSE).writeInt(0);
    out.writeCharSequence(name, StandardCharsets.UTF_8);
    out.writeByte(0);
    out.writeCharSequence(sql, StandardCharsets.UTF_8);
    out.writeByte(0);
    int typesAt = out.writerIndex();
    out.writeBytes(types);
    if (unspecifiedAsText) {
      int count = out.getUnsignedShort(typesAt);
      for (int i = 0, at = typesAt + 2; i < count; i++, at += 4) {
        if (out.getInt(at) == 0) {
          out.setInt(at, TEXT_OID);
        }
      }
    }
    out.setInt(1, out.readableBytes() - 1);
    return out;
  }

  /** A Close of the prepared statement {@code name}. */
  public static ByteBuf closeStatement(ByteBufAllocator alloc, String name) {
    ByteBuf out = alloc.buffer(Frame.HEADER_LENGTH + name.length() + 2);
    out.writeByte(FrontendType.CLOSE).writeInt(0).writeByte('S');
    out.writeCharSequence(name, StandardCharsets.UTF_8);
    out.writeByte(0);
    out.setInt(1, out.readableBytes() - 1);
    return out;
  }
}
