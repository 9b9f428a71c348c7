package io.turnout.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Follows message boundaries in a backend byte stream without copying, so the proxy can relay whole
 * received chunks untouched and still know where each message starts. It reports every message's
 * type byte and the transaction status of each ReadyForQuery, and leaves out of the relayed bytes
 * the messages its listener hides (replies to messages Turnout itself injected).
 *
 * <p>Chunks may split messages anywhere, including inside the 5-byte header; the scanner carries
 * its position across chunks. While a message may be hidden, a header split at a chunk's end is
 * held back (at most 4 bytes) until its type is known.
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

    /**
     * Whether the message of this type, starting now, is kept from the client. Called once per
     * message, after {@link #onMessage}.
     */
    default boolean hide(byte type) {
      return false;
    }

    /** Whether a message may be hidden soon: only then is a split header held back. */
    default boolean mayHide() {
      return false;
    }
  }

  /** Where the bytes the client is to see go; it owns each buffer it is given. */
  public interface Sink {
    void write(ByteBuf part);
  }

  /** Longer ParameterStatus messages are not decoded (no reported setting is anywhere near). */
  static final int MAX_PARAMETER_STATUS = 4096;

  private final Listener listener;
  private final byte[] header = new byte[Frame.HEADER_LENGTH];
  private int headerFill;

  /** The bytes of the incomplete header in {@link #header} are held back, not yet written. */
  private boolean headerHeld;

  private long payloadRemaining;
  private boolean readyForQueryStatusPending;

  /** The payload being read belongs to a hidden message: it is skipped, not written. */
  private boolean hiding;

  /** The payload of the ParameterStatus being read, or null: the only message decoded here. */
  private byte[] parameterStatus;

  private int parameterStatusFill;

  public BackendStreamScanner(Listener listener) {
    this.listener = listener;
  }

  /** Scans the readable bytes of {@code chunk} without changing its indexes, hiding nothing. */
  public void scan(ByteBuf chunk) {
    chunk.retain();
    try {
      scan(chunk, ByteBuf::release);
    } catch (RuntimeException e) {
      chunk.release();
      throw e;
    }
  }

  /**
   * Scans {@code chunk} and hands {@code out} what the client is to see: the chunk itself when
   * nothing in it is hidden or held back (the fast path), else slices of it. Takes ownership of
   * {@code chunk}, except when this throws (the caller then releases it).
   */
  public void scan(ByteBuf chunk, Sink out) {
    int begin = chunk.readerIndex();
    int i = begin;
    int end = chunk.writerIndex();
    int visibleFrom = begin; // bytes before this are written or skipped
    boolean cut = false; // something of this chunk was skipped or written apart
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
        if (hiding) {
          visibleFrom = i;
          cut = true;
          hiding = payloadRemaining > 0;
        }
        if (payloadRemaining == 0 && parameterStatus != null) {
          reportParameterStatus();
        }
        continue;
      }
      if (headerFill == 0 && end - i >= Frame.HEADER_LENGTH) {
        // Fast path: the whole header is in this chunk.
        int start = i;
        i += Frame.HEADER_LENGTH;
        if (startMessage(chunk.getByte(start), chunk.getInt(start + 1))) {
          writeSlice(chunk, visibleFrom, start, out);
          visibleFrom = i;
          cut = true;
        }
        continue;
      }
      header[headerFill++] = chunk.getByte(i++);
      if (headerFill == Frame.HEADER_LENGTH) {
        // A header split across chunks completes: it began in an earlier chunk.
        headerFill = 0;
        int inThisChunk = i - begin;
        boolean hidden =
            startMessage(
                header[0],
                (header[1] & 0xFF) << 24
                    | (header[2] & 0xFF) << 16
                    | (header[3] & 0xFF) << 8
                    | (header[4] & 0xFF));
        if (headerHeld) {
          if (hidden) {
            visibleFrom = i; // the held bytes are dropped with it
          } else {
            out.write(Unpooled.wrappedBuffer(header.clone(), 0, Frame.HEADER_LENGTH - inThisChunk));
          }
          cut = true;
        } else {
          hiding = false; // its first bytes are out already (it is no reply Turnout awaits)
        }
        headerHeld = false;
      }
    }
    if (headerFill > 0) {
      // An incomplete header ends the chunk. Decided once, where it begins: while a message may
      // be hidden, hold it back until its type is known.
      int inThisChunk = Math.min(headerFill, end - begin);
      if (headerFill == inThisChunk) {
        headerHeld = listener.mayHide();
      }
      if (headerHeld) {
        writeSlice(chunk, visibleFrom, end - inThisChunk, out);
        visibleFrom = end;
        cut = true;
      }
    }
    if (!cut) {
      out.write(chunk);
      return;
    }
    writeSlice(chunk, visibleFrom, end, out);
    chunk.release();
  }

  private static void writeSlice(ByteBuf chunk, int from, int to, Sink out) {
    if (to > from) {
      out.write(chunk.retainedSlice(from, to - from));
    }
  }

  /** Starts a message; true when it is hidden. */
  private boolean startMessage(byte type, int length) {
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
    boolean hidden = listener.hide(type);
    hiding = hidden && payloadRemaining > 0;
    return hidden;
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
