package io.turnout.proxy.routing;

/** The text to parse in place of a client's statement, and whether it is a refusal. */
public record PlannedStatement(String sql, boolean refusal) {}
