package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;

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
  }

  private final Listener listener;
  private final byte[] header = new byte[Frame.HEADER_LENGTH];
  private int headerFill;
  private long payloadRemaining;
  private boolean readyForQueryStatusPending;

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
        i += n;
        payloadRemaining -= n;
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
  }

  /** True when the scanner sits on a message boundary. */
  public boolean atMessageBoundary() {
    return headerFill == 0 && payloadRemaining == 0;
  }
}
