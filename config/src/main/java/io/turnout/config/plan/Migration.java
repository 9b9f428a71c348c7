package io.turnout.config.plan;

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
}
