package io.turnout.proxy.protocol;

/**
 * Type bytes of the messages a client may send after startup.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
public final class FrontendType {
  public static final byte BIND = 'B';
  public static final byte CLOSE = 'C';
  public static final byte COPY_DATA = 'd';
  public static final byte COPY_DONE = 'c';
  public static final byte COPY_FAIL = 'f';
  public static final byte DESCRIBE = 'D';
  public static final byte EXECUTE = 'E';
  public static final byte FLUSH = 'H';
  public static final byte FUNCTION_CALL = 'F';

  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this byte. */
  public static final byte PASSWORD = 'p';

  public static final byte PARSE = 'P';
  public static final byte QUERY = 'Q';
  public static final byte SYNC = 'S';
  public static final byte TERMINATE = 'X';

  private static final boolean[] KNOWN = new boolean[128];

  static {
    for (byte b :
        new byte[] {
          BIND,
          CLOSE,
          COPY_DATA,
          COPY_DONE,
          COPY_FAIL,
          DESCRIBE,
          EXECUTE,
          FLUSH,
          FUNCTION_CALL,
          PASSWORD,
          PARSE,
          QUERY,
          SYNC,
          TERMINATE
        }) {
      KNOWN[b] = true;
    }
  }

  private FrontendType() {}

  public static boolean isKnown(byte type) {
    return type >= 0 && KNOWN[type];
  }
}
