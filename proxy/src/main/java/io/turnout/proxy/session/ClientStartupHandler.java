package io.turnout.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.turnout.proxy.protocol.ErrorResponse;
import io.turnout.proxy.protocol.FrameDecoder;
import io.turnout.proxy.protocol.ProtocolViolation;
import io.turnout.proxy.protocol.SqlState;
import io.turnout.proxy.protocol.StartupPacket;
import io.turnout.proxy.protocol.StartupPacketDecoder;
import io.turnout.proxy.routing.ClientIdentity;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a client conversation: answers SSLRequest / GSSENCRequest, forwards CancelRequests, and on
 * the StartupMessage connects the backend (on the client's event loop, AUTO_READ off) and hands the
 * connection over to the relay handlers. Removes itself once the relay is in place.
 */
public final class ClientStartupHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientStartupHandler.class);
  static final String DECODER_NAME = "startupDecoder";

  private final SessionEnvironment env;
  private Session session;
  private ScheduledFuture<?> authenticationDeadline;

  public ClientStartupHandler(SessionEnvironment env) {
    this.env = env;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session = new Session(ctx.channel(), env);
    // A client that connects and never finishes startup must not hold a slot forever
    // (PostgreSQL's authentication_timeout).
    authenticationDeadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (session.state() == SessionState.STARTUP
                      || session.state() == SessionState.AUTHENTICATING) {
                    session.closeWithError(
                        ErrorResponse.fatal(
                            SqlState.CONNECTION_FAILURE,
                            "authentication timeout: startup not completed within "
                                + env.settings().authenticationTimeout().toMillis()
                                + " ms"));
                  }
                },
                env.settings().authenticationTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              authenticationDeadline.cancel(false);
              session.released();
            });
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg == StartupPacket.SSLRequest.INSTANCE) {
        answerSslRequest(ctx);
      } else if (msg == StartupPacket.GSSENCRequest.INSTANCE) {
        answerNegotiation(ctx, 'N');
      } else if (msg instanceof StartupPacket.CancelRequest cancel) {
        env.cancelRegistry()
            .cancel(
                cancel.key(),
                ctx.channel().eventLoop(),
                env.backendChannelType(),
                env.settings().connectTimeoutMillis());
        ctx.close();
      } else if (msg instanceof StartupPacket.StartupMessage startup) {
        startSession(ctx, startup);
      } else {
        throw new IllegalStateException("unexpected message before startup: " + msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void answerSslRequest(ChannelHandlerContext ctx) {
    SslContext tls = env.settings().clientTls().orElse(null);
    if (tls == null) {
      answerNegotiation(ctx, 'N');
      return;
    }
    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc()));
                    decoder(ctx).negotiationAnswered();
                    ctx.read();
                  }
                });
  }

  private void answerNegotiation(ChannelHandlerContext ctx, char answer) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) answer}))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    decoder(ctx).negotiationAnswered();
                    ctx.read();
                  }
                });
  }

  private static StartupPacketDecoder decoder(ChannelHandlerContext ctx) {
    return (StartupPacketDecoder) ctx.pipeline().get(DECODER_NAME);
  }

  private void startSession(ChannelHandlerContext ctx, StartupPacket.StartupMessage startup) {
    String refusal = env.sessions().admit(session);
    if (refusal != null) {
      String code =
          env.sessions().draining() ? SqlState.CANNOT_CONNECT_NOW : SqlState.TOO_MANY_CONNECTIONS;
      session.closeWithError(ErrorResponse.fatal(code, refusal));
      return;
    }
    Channel client = ctx.channel();
    session.identify(
        new ClientIdentity(
            startup.parameters().getOrDefault("application_name", ""),
            startup.user(),
            client.remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : String.valueOf(client.remoteAddress())));
    ChannelFuture connect =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(env.backendChannelType())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, env.settings().connectTimeoutMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("frameDecoder", FrameDecoder.forBackend());
                    ch.pipeline().addLast("relay", new BackendRelayHandler(session));
                  }
                })
            .connect(env.settings().backend());
    connect.addListener(
        (ChannelFutureListener)
            f -> {
              if (!f.isSuccess()) {
                log.warn(
                    "backend {} unreachable for user {}: {}",
                    env.settings().backend(),
                    startup.user(),
                    f.cause().toString());
                session.closeWithError(
                    ErrorResponse.fatal(
                        SqlState.CONNECTION_FAILURE,
                        "could not connect to the PostgreSQL backend at "
                            + env.settings().backend()
                            + ": "
                            + f.cause().getMessage()));
                return;
              }
              if (!client.isActive()) {
                f.channel().close();
                return;
              }
              session.backendConnected(f.channel());
              // The StartupMessage first: replacing the startup decoder hands the relay any frames
              // the
              // client pipelined behind it, and those must reach the backend after it.
              StartupPacket.StartupMessage toBackend = startup.forBackend();
              session.protocolLowered(toBackend != startup);
              f.channel().writeAndFlush(toBackend.encode(f.channel().alloc()));
              // Relay from now on; the backend's own authentication exchange flows through
              // untouched.
              ctx.pipeline().replace(this, "relay", new FrontendRelayHandler(session));
              ctx.pipeline()
                  .replace(
                      DECODER_NAME,
                      "frameDecoder",
                      FrameDecoder.forFrontend(env.settings().maxMessageSize()));
              f.channel().read();
              client.read();
            });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = ProtocolViolation.unwrap(cause);
    if (root instanceof ProtocolViolation violation && !violation.answered()) {
      // PostgreSQL logs these (COMMERROR) and closes without a reply; so does Turnout.
      log.info(
          "closing client {} without a reply: {}",
          ctx.channel().remoteAddress(),
          violation.getMessage());
      session.close();
    } else if (root instanceof ProtocolViolation violation) {
      session.closeWithError(violation.toErrorResponse());
    } else {
      log.warn(
          "closing client {} during startup: {}", ctx.channel().remoteAddress(), root.toString());
      session.closeWithError(
          ErrorResponse.fatal(
              SqlState.CONNECTION_FAILURE,
              "connection failed during startup: " + root.getMessage()));
    }
  }
}
