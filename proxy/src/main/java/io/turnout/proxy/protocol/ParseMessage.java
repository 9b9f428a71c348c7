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

  /**
   * A Parse of {@code newSql} under the same name with the same parameter types as {@code payload};
   * with {@code unspecifiedAsText}, types left 0 (for the server to infer) become {@code text}, for
   * a statement that does not use its parameters (a refusal) yet must accept the client's Bind.
   */
  public ByteBuf withSql(
      ByteBuf payload, String newSql, boolean unspecifiedAsText, ByteBufAllocator alloc) {
    int from = payload.readerIndex();
    int typesLength = payload.readableBytes() - typesOffset;
    ByteBuf out = alloc.buffer(Frame.HEADER_LENGTH + name.length() + newSql.length() + 16);
    out.writeByte(FrontendType.PARSE).writeInt(0);
    out.writeCharSequence(name, StandardCharsets.UTF_8);
    out.writeByte(0);
    out.writeCharSequence(newSql, StandardCharsets.UTF_8);
    out.writeByte(0);
    out.writeBytes(payload, from + typesOffset, typesLength);
    if (unspecifiedAsText) {
      int types = out.getUnsignedShort(out.writerIndex() - typesLength);
      for (int i = 0, at = out.writerIndex() - typesLength + 2; i < types; i++, at += 4) {
        if (out.getInt(at) == 0) {
          out.setInt(at, TEXT_OID);
        }
      }
    }
    out.setInt(1, out.readableBytes() - 1);
    return out;
  }
}
