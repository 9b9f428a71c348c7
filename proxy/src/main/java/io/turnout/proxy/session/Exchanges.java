package io.turnout.proxy.session;

import io.turnout.proxy.protocol.BackendType;
import io.turnout.proxy.protocol.FrontendType;
import java.util.ArrayDeque;

/**
 * The requests a session sent its backend whose replies have not all come back, in the order sent,
 * so each backend message is matched to the request it answers (vertx-pg-client's codec does the
 * same). Turnout needs this to hide the replies to messages it injects (a re-prepare's Close and
 * Parse) and to learn whether a message was done or discarded.
 *
 * <p>PostgreSQL answers each extended-protocol message in order: Parse with ParseComplete, Bind
 * with BindComplete, Close with CloseComplete, Describe with (ParameterDescription and)
 * RowDescription or NoData, Execute with rows then CommandComplete, EmptyQueryResponse or
 * PortalSuspended, Sync, Query and FunctionCall with ReadyForQuery. After an ErrorResponse to an
 * extended message it discards what follows until Sync: those requests get no reply at all.
 * Notices, notifications and ParameterStatus may come in between and answer nothing.
 *
 * <p>Used on the session's event loop only. Its length is bounded by back-pressure (the client is
 * not read while the backend is not writable); past {@link #MAX} requests in flight the session is
 * closed.
 */
final class Exchanges {
  /** Requests in flight at most (a pipeline of a million messages is not a client's). */
  static final int MAX = 1 << 20;

  /**
   * Learns how the backend took a message: done, or not (it failed, or PostgreSQL discarded it
   * unseen after an earlier error).
   */
  interface Outcome {
    void completed(boolean done);
  }

  static final int PARSE = 1;
  static final int BIND = 2;
  static final int CLOSE = 3;
  static final int DESCRIBE_STATEMENT = 4;
  static final int DESCRIBE_PORTAL = 5;
  static final int EXECUTE = 6;
  static final int SYNC = 7;

  /** Query and FunctionCall: answered until ReadyForQuery; an error inside skips nothing. */
  static final int UNTIL_READY = 8;

  /** No reply at all (Flush, COPY data, a password answer). */
  static final int NONE = 0;

  private static final int KIND = 0xF;

  /** The reply is Turnout's, not the client's: kept from the client (unless it is an error). */
  private static final int HIDDEN = 0x10;

  /** An {@link Outcome} waits in {@link #watches} for this message's. */
  private static final int WATCHED = 0x20;

  private int[] ring = new int[16];
  private int head;
  private int size;
  private final ArrayDeque<Outcome> watches = new ArrayDeque<>();
  private int hiddenInFlight;

  /** An error was answered and no Sync has been sent since: the backend discards all but Sync. */
  private boolean discarding;

  /** The expectation kind of a client message of {@code type} ({@code describeTarget}: 'S'/'P'). */
  static int kindOf(byte type, byte describeTarget) {
    switch (type) {
      case FrontendType.PARSE:
        return PARSE;
      case FrontendType.BIND:
        return BIND;
      case FrontendType.CLOSE:
        return CLOSE;
      case FrontendType.DESCRIBE:
        return describeTarget == 'S' ? DESCRIBE_STATEMENT : DESCRIBE_PORTAL;
      case FrontendType.EXECUTE:
        return EXECUTE;
      case FrontendType.SYNC:
        return SYNC;
      case FrontendType.QUERY:
      case FrontendType.FUNCTION_CALL:
        return UNTIL_READY;
      default:
        return NONE;
    }
  }

  /** A client message of {@code kind} went to the backend; false when too many are in flight. */
  boolean sent(int kind) {
    return add(kind, null);
  }

  /** As {@link #sent(int)}; {@code watch} (null: none) learns the message's outcome. */
  boolean sent(int kind, Outcome watch) {
    return add(kind | (watch == null ? 0 : WATCHED), watch);
  }

  /** A message Turnout injected: its reply is hidden from the client unless it is an error. */
  boolean sentHidden(int kind, Outcome watch) {
    return add(kind | HIDDEN | (watch == null ? 0 : WATCHED), watch);
  }

  private boolean add(int entry, Outcome watch) {
    int kind = entry & KIND;
    if (kind == NONE) {
      return true;
    }
    if (discarding) {
      if (kind != SYNC) {
        if (watch != null) {
          watch.completed(false); // PostgreSQL discards it unseen
        }
        return true;
      }
      discarding = false;
    }
    if (size == MAX) {
      return false;
    }
    if (size == ring.length) {
      int[] grown = new int[ring.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = ring[(head + i) % ring.length];
      }
      ring = grown;
      head = 0;
    }
    ring[(head + size) % ring.length] = entry;
    size++;
    if ((entry & HIDDEN) != 0) {
      hiddenInFlight++;
    }
    if (watch != null) {
      watches.add(watch);
    }
    return true;
  }

  /** True while some reply may be one to hide. */
  boolean mayHide() {
    return hiddenInFlight > 0;
  }

  /** Nothing is in flight. */
  boolean isEmpty() {
    return size == 0;
  }

  /**
   * A backend message of {@code type} arrived: matched to the request it answers. True when the
   * client must not see it (the success reply to a message Turnout injected).
   */
  boolean reply(byte type) {
    if (size == 0) {
      return false;
    }
    int kind = ring[head] & KIND;
    switch (type) {
      case BackendType.ERROR_RESPONSE:
        if (kind != SYNC && kind != UNTIL_READY) {
          complete(false);
          discardUntilSync();
        }
        return false; // an error is the client's to see, whoever's request caused it
      case BackendType.READY_FOR_QUERY:
        return kind == SYNC || kind == UNTIL_READY ? complete(true) : false;
      case '1':
        return kind == PARSE && complete(true);
      case '2':
        return kind == BIND && complete(true);
      case '3':
        return kind == CLOSE && complete(true);
      case 'T':
      case 'n':
        return (kind == DESCRIBE_STATEMENT || kind == DESCRIBE_PORTAL) && complete(true);
      case 'C':
      case 'I':
      case 's':
        return kind == EXECUTE && complete(true);
      default:
        return false; // rows, ParameterDescription, notices, COPY: part of an exchange, or none's
    }
  }

  /** The oldest request is answered; true when its reply is hidden. */
  private boolean complete(boolean ok) {
    int entry = ring[head];
    head = (head + 1) % ring.length;
    size--;
    if ((entry & WATCHED) != 0) {
      watches.poll().completed(ok);
    }
    if ((entry & HIDDEN) != 0) {
      hiddenInFlight--;
      return ok;
    }
    return false;
  }

  /** After an error: what was sent up to the next Sync is discarded by the backend, unanswered. */
  private void discardUntilSync() {
    while (size > 0 && (ring[head] & KIND) != SYNC) {
      complete(false);
    }
    discarding = size == 0;
  }
}
