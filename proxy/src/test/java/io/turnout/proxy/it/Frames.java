package io.turnout.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frontend messages as raw bytes, for tests that speak the protocol themselves, and backend
 * messages described as short strings ("1", "T:email", "D:value", "C:SELECT 1", "E:42P01", "Z") so
 * a reply sequence is compared in one assertion.
 */
final class Frames {
  private Frames() {}

  static byte[] query(String sql) {
    return frame('Q', cstring(sql));
  }

  /** A Parse of {@code sql} as statement {@code name}, parameter types left to the server. */
  static byte[] parse(String name, String sql) {
    return frame('P', concat(cstring(name), cstring(sql), new byte[] {0, 0}));
  }

  /** A Bind of {@code statement} into {@code portal}, every parameter and result in text. */
  static byte[] bind(String portal, String statement, String... textValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(cstring(portal));
    b.writeBytes(cstring(statement));
    b.writeBytes(new byte[] {0, 0}); // parameter formats: all text
    b.writeBytes(ByteBuffer.allocate(2).putShort((short) textValues.length).array());
    for (String value : textValues) {
      byte[] v = value.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(ByteBuffer.allocate(4).putInt(v.length).array());
      b.writeBytes(v);
    }
    b.writeBytes(new byte[] {0, 0}); // result formats: all text
    return frame('B', b.toByteArray());
  }

  static byte[] execute(String portal) {
    return frame('E', concat(cstring(portal), new byte[] {0, 0, 0, 0}));
  }

  /** A Describe of a statement ({@code 'S'}) or portal ({@code 'P'}). */
  static byte[] describe(char target, String name) {
    return frame('D', concat(new byte[] {(byte) target}, cstring(name)));
  }

  /** A Close of a statement ({@code 'S'}) or portal ({@code 'P'}). */
  static byte[] close(char target, String name) {
    return frame('C', concat(new byte[] {(byte) target}, cstring(name)));
  }

  static byte[] sync() {
    return frame('S', new byte[0]);
  }

  static byte[] flush() {
    return frame('H', new byte[0]);
  }

  static byte[] frame(char type, byte[] payload) {
    return ByteBuffer.allocate(5 + payload.length)
        .put((byte) type)
        .putInt(4 + payload.length)
        .put(payload)
        .array();
  }

  static byte[] cstring(String s) {
    return concat(s.getBytes(StandardCharsets.UTF_8), new byte[] {0});
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The replies up to and including the {@code readyCount}-th ReadyForQuery, described. */
  static List<String> untilReady(RawPgConnection raw, int readyCount) throws IOException {
    List<String> seen = new ArrayList<>();
    int ready = 0;
    while (ready < readyCount) {
      RawPgConnection.Message m = raw.read();
      seen.add(describe(m));
      if (m.type() == 'Z') {
        ready++;
      }
    }
    return seen;
  }

  /**
   * A message as its type, plus the first column for DataRow (or "null") and the first column's
   * name for RowDescription, the tag, or the SQLSTATE.
   */
  static String describe(RawPgConnection.Message m) {
    byte[] body = m.body();
    switch (m.type()) {
      case 'D':
        {
          ByteBuffer b = ByteBuffer.wrap(body);
          b.getShort();
          int len = b.getInt();
          return len < 0 ? "D:null" : "D:" + new String(body, 6, len, StandardCharsets.UTF_8);
        }
      case 'T':
        {
          int end = 2;
          while (body[end] != 0) {
            end++;
          }
          return "T:" + new String(body, 2, end - 2, StandardCharsets.UTF_8);
        }
      case 'C':
        return "C:" + m.tag();
      case 'E':
        return "E:" + m.sqlState();
      case 'R':
        return "R" + m.authCode();
      case 'K':
        return "K:" + (body.length - 4); // the secret's length
      case 'v':
        {
          ByteBuffer b = ByteBuffer.wrap(body);
          return "v:" + b.getInt() + "/" + b.getInt(); // newest version supported / options refused
        }
      default:
        return String.valueOf(m.type());
    }
  }
}
