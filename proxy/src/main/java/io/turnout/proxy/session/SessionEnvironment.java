package io.turnout.proxy.session;

import io.netty.channel.Channel;
import io.turnout.proxy.routing.Routing;
import java.util.Optional;

/**
 * The shared, thread-safe services every session of one proxy uses. {@code backendChannelType}
 * matches the event loops' transport, since a backend channel lives on its client's event loop.
 * {@code routing} is present when a plan's migrations are applied on the wire.
 */
public record SessionEnvironment(
    SessionSettings settings,
    CancelRegistry cancelRegistry,
    Sessions sessions,
    Class<? extends Channel> backendChannelType,
    Optional<Routing> routing) {}
