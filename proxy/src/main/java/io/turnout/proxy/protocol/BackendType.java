package io.turnout.proxy.protocol;

/**
 * Type bytes of backend messages the proxy looks at. Everything else is relayed unread.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
public final class BackendType {
  public static final byte BACKEND_KEY_DATA = 'K';
  public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
  public static final byte READY_FOR_QUERY = 'Z';
  public static final byte PARAMETER_STATUS = 'S';
  public static final byte ERROR_RESPONSE = 'E';
  public static final byte COPY_IN_RESPONSE = 'G';
  public static final byte COPY_OUT_RESPONSE = 'H';
  public static final byte COPY_BOTH_RESPONSE = 'W';

  private BackendType() {}
}
