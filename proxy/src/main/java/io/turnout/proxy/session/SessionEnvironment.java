package io.turnout.proxy.session;

import io.netty.channel.Channel;

/**
 * The shared, thread-safe services every session of one proxy uses. {@code backendChannelType}
 * matches the event loops' transport, since a backend channel lives on its client's event loop.
 */
public record SessionEnvironment(
    SessionSettings settings,
    CancelRegistry cancelRegistry,
    Sessions sessions,
    Class<? extends Channel> backendChannelType) {}
