package io.turnout.proxy.server;

import io.turnout.proxy.session.SessionSettings;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Everything {@link ProxyServer} needs: where to listen, per-session settings, limits, and the
 * number of event-loop threads.
 */
public record ProxySettings(
    InetSocketAddress listen,
    SessionSettings session,
    int maxClientConnections,
    Duration shutdownGrace,
    int workerThreads) {}
