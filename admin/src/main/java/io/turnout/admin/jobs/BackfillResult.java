package io.turnout.admin.jobs;

import java.util.List;

/**
 * How a backfill run ended.
 *
 * @param state {@link JobState#DONE} (the pass is complete and its checkpoint finished) or {@link
 *     JobState#CANCELLED} (resumable from {@code lastKey})
 * @param rowsDone rows covered by the pass so far, earlier runs included
 * @param rowsChanged rows this run wrote (rows already consistent are left alone)
 * @param batches batches this run committed
 * @param lastKey the last key committed, one text per key column; empty if no batch was committed
 */
public record BackfillResult(
    JobState state, long rowsDone, long rowsChanged, long batches, List<String> lastKey) {
  public BackfillResult {
    lastKey = List.copyOf(lastKey);
  }
}
