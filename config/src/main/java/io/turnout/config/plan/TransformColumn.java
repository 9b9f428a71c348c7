package io.turnout.config.plan;

import java.util.List;
import java.util.Map;

/**
 * {@code kind: transform_column}: old columns are replaced by new ones (split, merge, type change).
 * {@code forward} gives each new column as a SQL expression over the old columns; {@code backward}
 * gives each old column as a SQL expression over the new columns. Map order is the plan file's
 * order.
 */
public record TransformColumn(
    String id,
    String backend,
    TableName table,
    List<String> oldColumns,
    List<String> newColumns,
    Map<String, String> forward,
    Map<String, String> backward,
    ReadPolicy reads,
    ShadowPolicy shadow,
    UnanalysablePolicy onUnanalysable,
    ContractPolicy contract,
    VerifyPolicy verify,
    BackfillPolicy backfill)
    implements Migration {
  public TransformColumn {
    oldColumns = List.copyOf(oldColumns);
    newColumns = List.copyOf(newColumns);
    forward = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(forward));
    backward = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backward));
  }

  public static final String KIND = "transform_column";

  /** With the default {@link BackfillPolicy}. */
  public TransformColumn(
      String id,
      String backend,
      TableName table,
      List<String> oldColumns,
      List<String> newColumns,
      Map<String, String> forward,
      Map<String, String> backward,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable,
      ContractPolicy contract,
      VerifyPolicy verify) {
    this(
        id,
        backend,
        table,
        oldColumns,
        newColumns,
        forward,
        backward,
        reads,
        shadow,
        onUnanalysable,
        contract,
        verify,
        BackfillPolicy.DEFAULT);
  }

  /** With the default {@link VerifyPolicy}. */
  public TransformColumn(
      String id,
      String backend,
      TableName table,
      List<String> oldColumns,
      List<String> newColumns,
      Map<String, String> forward,
      Map<String, String> backward,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable,
      ContractPolicy contract) {
    this(
        id,
        backend,
        table,
        oldColumns,
        newColumns,
        forward,
        backward,
        reads,
        shadow,
        onUnanalysable,
        contract,
        VerifyPolicy.DEFAULT);
  }

  /** With the default {@link ContractPolicy} and {@link VerifyPolicy}. */
  public TransformColumn(
      String id,
      String backend,
      TableName table,
      List<String> oldColumns,
      List<String> newColumns,
      Map<String, String> forward,
      Map<String, String> backward,
      ReadPolicy reads,
      ShadowPolicy shadow,
      UnanalysablePolicy onUnanalysable) {
    this(
        id,
        backend,
        table,
        oldColumns,
        newColumns,
        forward,
        backward,
        reads,
        shadow,
        onUnanalysable,
        ContractPolicy.DEFAULT);
  }

  @Override
  public String kind() {
    return KIND;
  }
}
