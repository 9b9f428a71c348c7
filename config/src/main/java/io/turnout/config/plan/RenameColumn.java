package io.turnout.config.plan;

import java.util.List;

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
    implements Migration {
  public static final String KIND = "rename_column";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<String> oldColumns() {
    return List.of(from);
  }

  @Override
  public List<String> newColumns() {
    return List.of(to);
  }
}
