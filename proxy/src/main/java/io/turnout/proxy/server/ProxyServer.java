package io.turnout.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.turnout.proxy.protocol.StartupPacketDecoder;
import io.turnout.proxy.routing.Routing;
import io.turnout.proxy.session.CancelRegistry;
import io.turnout.proxy.session.ClientStartupHandler;
import io.turnout.proxy.session.SessionEnvironment;
import io.turnout.proxy.session.Sessions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty server: accepts client connections and gives each its own session. Owns the event
 * loops; {@link #close()} shuts down gracefully (stop accepting, drain sessions, then force).
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  /**
   * Per-connection outbound buffer: above the high mark the producing side stops reading. 64 KiB ..
   * 256 KiB keeps large results flowing in big writes while bounding memory per session.
   */
  private static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  /** After the grace period: how long closing the remaining sessions may take. */
  private static final Duration FORCED_CLOSE_WAIT = Duration.ofSeconds(2);

  private final ProxySettings settings;
  private final SessionEnvironment env;
  private final Transport transport = Transport.detect();
  private final EventLoopGroup acceptor =
      new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
  private final EventLoopGroup workers;
  private Channel serverChannel;

  public ProxyServer(ProxySettings settings) {
    this(settings, Optional.empty());
  }

  /** With {@code routing}, sessions apply the plan's migrations to what clients send. */
  public ProxyServer(ProxySettings settings, Optional<Routing> routing) {
    this.settings = settings;
    // Netty's default is two threads per core; on a box shared with PostgreSQL that buys only
    // more wake-ups per transaction (measured: BENCHMARKS.md, docs/decisions/0005).
    this.workers =
        new MultiThreadIoEventLoopGroup(settings.workerThreads(), transport.ioHandlerFactory());
    this.env =
        new SessionEnvironment(
            settings.session(),
            new CancelRegistry(),
            new Sessions(settings.maxClientConnections()),
            transport.socketChannelType(),
            routing);
  }

  /** Binds the listen address; port 0 picks a free port (see {@link #address()}). */
  public ProxyServer start() throws InterruptedException {
    long idleMillis = settings.session().idleTimeout().toMillis();
    serverChannel =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(transport.serverChannelType())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (idleMillis > 0) {
                      ch.pipeline()
                          .addLast(
                              "idle",
                              new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                    }
                    ch.pipeline().addLast("startupDecoder", new StartupPacketDecoder());
                    ch.pipeline().addLast("startup", new ClientStartupHandler(env));
                  }
                })
            .bind(settings.listen())
            .sync()
            .channel();
    log.info(
        "Turnout listening on {} ({}), backend {}",
        address(),
        transport.name(),
        settings.session().backend());
    return this;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public Sessions sessions() {
    return env.sessions();
  }

  /**
   * Graceful shutdown: stop accepting, close idle sessions at once and busy ones when their
   * transaction ends, and after the grace period close whatever is left with FATAL 57P01.
   */
  @Override
  public void close() {
    Duration grace = settings.shutdownGrace();
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    env.sessions().startDrain();
    if (!sessionsEndWithin(grace)) {
      log.warn(
          "{} sessions still busy after {} ms grace; terminating them",
          env.sessions().size(),
          grace.toMillis());
      env.sessions().terminateAll();
      sessionsEndWithin(FORCED_CLOSE_WAIT);
    }
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    log.info("Turnout stopped");
  }

  /** Waits until no session is left or {@code limit} has passed; true if none is left. */
  private boolean sessionsEndWithin(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (env.sessions().size() > 0 && System.nanoTime() < deadline) {
      sleepQuietly(20);
    }
    return env.sessions().size() == 0;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
