package io.turnout.proxy.server;

import io.turnout.proxy.session.SessionSettings;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Everything {@link ProxyServer} needs: where to listen, per-session settings, and limits. */
public record ProxySettings(
    InetSocketAddress listen,
    SessionSettings session,
    int maxClientConnections,
    Duration shutdownGrace) {}
