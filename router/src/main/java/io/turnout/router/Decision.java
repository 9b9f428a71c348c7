package io.turnout.router;

/**
 * What the proxy does with one statement, as a value: forward it unchanged ({@link PassThrough}),
 * send other text ({@link Rewrite}), choose between an old-schema and a new-schema variant by the
 * migration's sticky read percentage ({@link Route}), or answer with an error ({@link Reject}).
 * Decisions are immutable and cached by statement text and state version.
 */
public sealed interface Decision permits PassThrough, Rewrite, Route, Reject {}
