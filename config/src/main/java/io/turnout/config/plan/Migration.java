package io.turnout.config.plan;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One schema change in the plan file. Every kind shares an id, the table it changes, and the
 * policies that govern reads, shadow comparison and statements the router cannot analyse.
 */
public sealed interface Migration permits RenameColumn, TransformColumn {
  /** Unique id in the plan file, used by every CLI command and in error messages. */
  String id();

  /** Name of the backend (key under {@code backends:}) that holds the table. */
  String backend();

  TableName table();

  ReadPolicy reads();

  ShadowPolicy shadow();

  UnanalysablePolicy onUnanalysable();

  /** When {@code contract} may drop the old columns. */
  ContractPolicy contract();

  /** How often a verify runs by itself while reads are on the new path. */
  VerifyPolicy verify();

  /** The limits its backfill starts with. */
  BackfillPolicy backfill();

  /** The plan file's {@code kind}: {@code rename_column} or {@code transform_column}. */
  String kind();

  /** Columns the application uses today, which {@code contract} drops. */
  List<String> oldColumns();

  /** Columns {@code expand} creates, which the application uses after the change. */
  List<String> newColumns();

  /** Old and new columns: every column whose reads or writes this migration changes. */
  default Set<String> managedColumns() {
    Set<String> all = new LinkedHashSet<>(oldColumns());
    all.addAll(newColumns());
    return Collections.unmodifiableSet(all);
  }
}
