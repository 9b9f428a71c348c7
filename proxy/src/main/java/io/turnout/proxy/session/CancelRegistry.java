package io.turnout.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.turnout.proxy.protocol.BackendKeyData;
import io.turnout.proxy.protocol.StartupPacket.CancelRequest;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Maps the cancel keys Turnout hands to clients onto the backend that runs their queries. A client
 * cancels on a fresh connection that can land on any event loop, so the map is concurrent. It holds
 * one entry per live session and is therefore bounded by the connection limit.
 */
public final class CancelRegistry {
  private record Target(SocketAddress backend, BackendKeyData backendKey) {}

  private final ConcurrentMap<BackendKeyData, Target> targets = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * Registers a backend key and returns the key to give the client instead: the backend's real
   * process id (what {@code pg_backend_pid()} and NOTIFY senders show) with a secret of Turnout's
   * own, as long as the backend's. Routing is by the pair, so two backends with one pid are fine.
   */
  public BackendKeyData register(SocketAddress backend, BackendKeyData backendKey) {
    Target target = new Target(backend, backendKey);
    byte[] secret = new byte[backendKey.secret().length];
    while (true) {
      random.nextBytes(secret);
      BackendKeyData proxyKey = new BackendKeyData(backendKey.processId(), secret);
      if (targets.putIfAbsent(proxyKey, target) == null) {
        return proxyKey;
      }
    }
  }

  public void unregister(BackendKeyData proxyKey) {
    targets.remove(proxyKey);
  }

  /**
   * Forwards a client's CancelRequest to the backend it belongs to. Unknown keys are ignored, as
   * PostgreSQL ignores them: a cancel never gets an answer either way.
   */
  public void cancel(
      BackendKeyData proxyKey,
      EventLoop loop,
      Class<? extends Channel> channelType,
      int connectTimeoutMillis) {
    Target target = targets.get(proxyKey);
    if (target == null) {
      return;
    }
    new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {}
            })
        .connect(target.backend())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    f.channel()
                        .writeAndFlush(
                            new CancelRequest(target.backendKey()).encode(f.channel().alloc()))
                        .addListener(ChannelFutureListener.CLOSE);
                  }
                });
  }
}
