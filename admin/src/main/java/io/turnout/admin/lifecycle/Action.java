package io.turnout.admin.lifecycle;

import java.util.Locale;

/**
 * What an operator (or a finished job) asks of a migration. The names are the audit log's {@code
 * action} and the CLI's commands.
 */
public enum Action {
  /** The expand DDL ran: planned → expanded (re-running it in expanded is a no-op). */
  EXPAND,
  DUAL_WRITE_ON,
  DUAL_WRITE_OFF,
  /** A backfill pass completed: dual_write → backfilled. */
  BACKFILL,
  /** A verify completed with a drift count: backfilled → verified when the drift is 0. */
  VERIFY,
  /** Set the share of reads compared in shadow. */
  SHADOW,
  /** Set the share of reads served by the new schema: 0 → verified, 100 → reads_new. */
  READS,
  /** reads_new → writes_new: the new columns become the source of truth. */
  WRITES_NEW,
  /** One step back towards the old schema; reads go back to the old path first. */
  ROLLBACK,
  /** The contract DDL ran (old columns dropped): irreversible. */
  CONTRACT;

  /** {@code dual_write_on} style, as stored in the audit log. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
