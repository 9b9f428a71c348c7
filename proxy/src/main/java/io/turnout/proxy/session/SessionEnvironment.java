package io.turnout.proxy.session;

/** The shared, thread-safe services every session of one proxy uses. */
public record SessionEnvironment(
    SessionSettings settings, CancelRegistry cancelRegistry, Sessions sessions) {}
