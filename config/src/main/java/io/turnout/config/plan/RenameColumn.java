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
    UnanalysablePolicy onUnanalysable,
    ContractPolicy contract,
    VerifyPolicy verify,
    BackfillPolicy backfill)
    implements Migration {
  public static final String KIND = "rename_column";

  /** With the default {@link BackfillPolicy}. */
  public RenameColumn(
      String id,
      String backend,
      TableName table,
      String from,
      String to,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable,
      ContractPolicy contract,
      VerifyPolicy verify) {
    this(
        id,
        backend,
        table,
        from,
        to,
        reads,
        shadow,
        onUnanalysable,
        contract,
        verify,
        BackfillPolicy.DEFAULT);
  }

  /** With the default {@link VerifyPolicy}. */
  public RenameColumn(
      String id,
      String backend,
      TableName table,
      String from,
      String to,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable,
      ContractPolicy contract) {
    this(
        id,
        backend,
        table,
        from,
        to,
        reads,
        shadow,
        onUnanalysable,
        contract,
        VerifyPolicy.DEFAULT);
  }

  /** With the default {@link ContractPolicy} and {@link VerifyPolicy}. */
  public RenameColumn(
      String id,
      String backend,
      TableName table,
      String from,
      String to,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable) {
    this(id, backend, table, from, to, reads, shadow, onUnanalysable, ContractPolicy.DEFAULT);
  }

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
