package io.turnout.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.turnout.proxy.protocol.BackendKeyData;
import io.turnout.proxy.protocol.BackendStreamScanner;
import io.turnout.proxy.protocol.BackendType;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.FrontendType;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.routing.ClientIdentity;
import io.turnout.proxy.routing.PreparedStatements;
import io.turnout.proxy.routing.SessionContext;

/**
 * One client conversation and its backend connection (session mode: one backend per client). Both
 * channels live on the same event loop, so this state is only ever touched by that thread, except
 * {@link #drain()} and {@link #terminate()}, which hop onto it.
 */
public final class Session implements BackendStreamScanner.Listener {
  private static final ErrorResponse SHUTTING_DOWN =
      ErrorResponse.fatal(
          SqlState.ADMIN_SHUTDOWN, "terminating connection because Turnout is shutting down");

  private final Channel client;
  private final SessionEnvironment env;
  private Channel backend;
  private SessionState state = SessionState.STARTUP;
  private BackendKeyData proxyKey;
  private byte lastBackendMessage;
  private boolean draining;

  /**
   * Queries, Syncs and FunctionCalls sent whose ReadyForQuery has not come back yet. Each of them
   * is answered by exactly one ReadyForQuery, so with several pipelined the backend is busy until
   * the last one's: "idle" is judged from this, never from the last ReadyForQuery alone.
   */
  private int awaitingReady;

  /** An extended-protocol message was sent since the last Sync: the backend is mid-exchange. */
  private boolean extendedPending;

  private boolean closing;

  /** Turnout lowered the client's protocol minor version before passing the startup on. */
  private boolean protocolLowered;

  /** What the router knows of this session; null when the proxy applies no migrations. */
  private final SessionContext context;

  Session(Channel client, SessionEnvironment env) {
    this.client = client;
    this.env = env;
    boolean routed = env != null && env.routing().isPresent();
    this.context = routed ? new SessionContext() : null;
    this.prepared = routed ? new PreparedStatements() : null;
    this.exchanges = routed ? new Exchanges() : null;
  }

  SessionEnvironment env() {
    return env;
  }

  SessionContext context() {
    return context;
  }

  /** This session's named statements on managed tables; null without routing. */
  private final PreparedStatements prepared;

  PreparedStatements prepared() {
    return prepared;
  }

  /**
   * The requests in flight, matched with their replies, so those of messages Turnout injects are
   * hidden; null without routing (Turnout then injects nothing, and relays replies unread).
   */
  private final Exchanges exchanges;

  Exchanges exchanges() {
    return exchanges;
  }

  @Override
  public boolean hide(byte type) {
    return exchanges != null && exchanges.reply(type);
  }

  @Override
  public boolean mayHide() {
    return exchanges != null && exchanges.mayHide();
  }

  /** Who this session is, known once its startup packet arrived. */
  private ClientIdentity identity = ClientIdentity.UNKNOWN;

  ClientIdentity identity() {
    return identity;
  }

  void identify(ClientIdentity who) {
    this.identity = who;
    if (context != null) {
      context.identity(who);
    }
  }

  @Override
  public void onParameterStatus(String name, String value) {
    if ("application_name".equals(name)) {
      identify(identity.withApplicationName(value));
    }
  }

  Channel client() {
    return client;
  }

  Channel backend() {
    return backend;
  }

  SessionState state() {
    return state;
  }

  void protocolLowered(boolean lowered) {
    protocolLowered = lowered;
  }

  boolean protocolLowered() {
    return protocolLowered;
  }

  void backendConnected(Channel backendChannel) {
    backend = backendChannel;
    state = SessionState.AUTHENTICATING;
  }

  /** Swaps the backend's cancel key for one of the proxy's, registered for CancelRequests. */
  BackendKeyData exchangeKey(BackendKeyData backendKey) {
    if (proxyKey != null) {
      env.cancelRegistry().unregister(proxyKey);
    }
    proxyKey = env.cancelRegistry().register(backend.remoteAddress(), backendKey);
    return proxyKey;
  }

  @Override
  public void onMessage(byte type) {
    lastBackendMessage = type;
    switch (type) {
      case BackendType.COPY_IN_RESPONSE:
        state = SessionState.COPY_IN;
        break;
      case BackendType.COPY_OUT_RESPONSE:
      case BackendType.COPY_BOTH_RESPONSE:
        state = SessionState.COPY_OUT;
        break;
      default:
        break;
    }
  }

  @Override
  public void onReadyForQuery(byte transactionStatus) {
    state = SessionState.fromTransactionStatus(transactionStatus);
    if (awaitingReady > 0) {
      awaitingReady--;
    }
    if (context != null && state == SessionState.READY) {
      context.transactionEnded();
    }
  }

  /** The ReadyForQuery that ends startup: it answers no request of the client's. */
  void startupCompleted(byte transactionStatus) {
    state = SessionState.fromTransactionStatus(transactionStatus);
  }

  /** The client sent a message of this type on to the backend. */
  void clientSent(byte type) {
    switch (type) {
      case FrontendType.QUERY:
      case FrontendType.FUNCTION_CALL:
        awaitingReady++;
        break;
      case FrontendType.SYNC:
        awaitingReady++;
        extendedPending = false;
        break;
      case FrontendType.PARSE:
      case FrontendType.BIND:
      case FrontendType.DESCRIBE:
      case FrontendType.EXECUTE:
      case FrontendType.CLOSE:
      case FrontendType.FLUSH:
        extendedPending = true;
        break;
      default:
        break; // COPY data and authentication answers belong to an exchange already counted
    }
  }

  /**
   * True when the backend waits for the client with nothing outstanding: past startup, every
   * request answered, no extended exchange open, no COPY. What idle timeout and drain measure.
   */
  boolean waitingForClient() {
    return state.pastStartup() && !state.copying() && awaitingReady == 0 && !extendedPending;
  }

  /** True once the backend's last message was an ErrorResponse (it may close right after one). */
  boolean backendLastSentError() {
    return lastBackendMessage == BackendType.ERROR_RESPONSE;
  }

  /** Called after a backend chunk was relayed: a draining session closes once it is idle. */
  void afterBackendChunk() {
    if (draining && waitingForClient() && !state.inTransaction()) {
      closeWithError(SHUTTING_DOWN);
    }
  }

  /**
   * Graceful shutdown: close now if idle, else once the running statements and the current
   * transaction end. A session still starting up is left to finish (or to the grace's end).
   */
  void drain() {
    client
        .eventLoop()
        .execute(
            () -> {
              draining = true;
              if (waitingForClient() && !state.inTransaction()) {
                closeWithError(SHUTTING_DOWN);
              }
            });
  }

  /** The grace period is over: close whatever the session is doing. */
  void terminate() {
    client
        .eventLoop()
        .execute(
            () ->
                closeWithError(
                    SHUTTING_DOWN.withDetail(
                        "The shutdown grace period ended while this session was busy.")));
  }

  /** Sends the client an error and closes both sides once it is written. Safe to call twice. */
  void closeWithError(ErrorResponse error) {
    if (closing) {
      return;
    }
    closing = true;
    if (client.isActive()) {
      client.writeAndFlush(error.encode(client.alloc())).addListener(ChannelFutureListener.CLOSE);
    } else {
      client.close();
    }
    closeBackend();
  }

  /** Closes both sides without a message to the client (it left, or the backend told it why). */
  void close() {
    closing = true;
    if (client.isActive()) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    closeBackend();
  }

  /** The client sent Terminate: pass it on, so the backend ends the session cleanly, and close. */
  void terminateRequested(ByteBuf terminate) {
    closing = true;
    if (backend != null && backend.isActive()) {
      backend.writeAndFlush(terminate).addListener(ChannelFutureListener.CLOSE);
    } else {
      terminate.release();
    }
    client.close();
  }

  boolean closing() {
    return closing;
  }

  /**
   * Closes the backend connection. Past startup it is sent a Terminate first, so PostgreSQL ends
   * the session cleanly instead of logging an unexpected EOF.
   */
  private void closeBackend() {
    if (backend != null && backend.isActive()) {
      Object last =
          state == SessionState.AUTHENTICATING
              ? Unpooled.EMPTY_BUFFER
              : backend.alloc().buffer(5).writeByte(FrontendType.TERMINATE).writeInt(4);
      backend.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Releases what the session holds; called once when the client channel closes. */
  void released() {
    state = SessionState.CLOSED;
    if (proxyKey != null) {
      env.cancelRegistry().unregister(proxyKey);
    }
    env.sessions().remove(this);
  }
}
