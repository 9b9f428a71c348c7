package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Follows message boundaries in a backend byte stream without copying or allocating, so the proxy
 * can relay whole received chunks untouched and still know where each message starts. It reports
 * every message's type byte and the transaction status of each ReadyForQuery.
 *
 * <p>Chunks may split messages anywhere, including inside the 5-byte header; the scanner carries
 * its position across chunks.
 */
public final class BackendStreamScanner {
  /** Receives what the scanner sees, in stream order. */
  public interface Listener {
    /** A message of this type starts. */
    void onMessage(byte type);

    /** A ReadyForQuery carried this transaction status ('I', 'T' or 'E'). */
    void onReadyForQuery(byte transactionStatus);

    /** A ParameterStatus reported a setting's new value (e.g. after SET application_name). */
    default void onParameterStatus(String name, String value) {}
  }

  /** Longer ParameterStatus messages are not decoded (no reported setting is anywhere near). */
  static final int MAX_PARAMETER_STATUS = 4096;

  private final Listener listener;
  private final byte[] header = new byte[Frame.HEADER_LENGTH];
  private int headerFill;
  private long payloadRemaining;
  private boolean readyForQueryStatusPending;

  /** The payload of the ParameterStatus being read, or null: the only message decoded here. */
  private byte[] parameterStatus;

  private int parameterStatusFill;

  public BackendStreamScanner(Listener listener) {
    this.listener = listener;
  }

  /** Scans the readable bytes of {@code chunk} without changing its indexes. */
  public void scan(ByteBuf chunk) {
    int i = chunk.readerIndex();
    int end = chunk.writerIndex();
    while (i < end) {
      if (payloadRemaining > 0) {
        if (readyForQueryStatusPending) {
          readyForQueryStatusPending = false;
          listener.onReadyForQuery(chunk.getByte(i));
        }
        int n = (int) Math.min(payloadRemaining, end - i);
        if (parameterStatus != null) {
          chunk.getBytes(i, parameterStatus, parameterStatusFill, n);
          parameterStatusFill += n;
        }
        i += n;
        payloadRemaining -= n;
        if (payloadRemaining == 0 && parameterStatus != null) {
          reportParameterStatus();
        }
        continue;
      }
      if (headerFill == 0 && end - i >= Frame.HEADER_LENGTH) {
        // Fast path: the whole header is in this chunk.
        startMessage(chunk.getByte(i), chunk.getInt(i + 1));
        i += Frame.HEADER_LENGTH;
        continue;
      }
      header[headerFill++] = chunk.getByte(i++);
      if (headerFill == Frame.HEADER_LENGTH) {
        headerFill = 0;
        startMessage(
            header[0],
            (header[1] & 0xFF) << 24
                | (header[2] & 0xFF) << 16
                | (header[3] & 0xFF) << 8
                | (header[4] & 0xFF));
      }
    }
  }

  private void startMessage(byte type, int length) {
    if (length < 4) {
      throw new ProtocolViolation("backend sent invalid message length " + length);
    }
    payloadRemaining = length - 4L;
    listener.onMessage(type);
    readyForQueryStatusPending = type == BackendType.READY_FOR_QUERY && payloadRemaining > 0;
    if (type == BackendType.PARAMETER_STATUS
        && payloadRemaining > 0
        && payloadRemaining <= MAX_PARAMETER_STATUS) {
      parameterStatus = new byte[(int) payloadRemaining];
      parameterStatusFill = 0;
    }
  }

  private void reportParameterStatus() {
    byte[] body = parameterStatus;
    parameterStatus = null;
    String[] nameValue = parseParameterStatus(body, 0, body.length);
    if (nameValue != null) {
      listener.onParameterStatus(nameValue[0], nameValue[1]);
    }
  }

  /** A ParameterStatus payload ({@code name\0value\0}) as name and value; null if malformed. */
  public static String[] parseParameterStatus(byte[] body, int from, int to) {
    int nul = -1;
    for (int i = from; i < to; i++) {
      if (body[i] == 0) {
        nul = i;
        break;
      }
    }
    if (nul < 0 || to - 1 <= nul || body[to - 1] != 0) {
      return null;
    }
    return new String[] {
      new String(body, from, nul - from, StandardCharsets.UTF_8),
      new String(body, nul + 1, to - 1 - (nul + 1), StandardCharsets.UTF_8)
    };
  }

  /** True when the scanner sits on a message boundary. */
  public boolean atMessageBoundary() {
    return headerFill == 0 && payloadRemaining == 0;
  }
}
