package io.turnout.config.plan;

/** {@code kind: rename_column}: column {@code from} becomes {@code to}, same type and value. */
public record RenameColumn(
    String id,
    String backend,
    TableName table,
    String from,
    String to,
    ReadPolicy reads,
    ShadowPolicy shadow,
    UnanalysablePolicy onUnanalysable)
    implements Migration {}
