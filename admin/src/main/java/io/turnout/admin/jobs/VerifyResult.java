package io.turnout.admin.jobs;

import java.util.List;

/**
 * What a verify found.
 *
 * @param rowsChecked rows compared
 * @param drift rows where a new column is not forward(old) or an old column is not backward(new)
 * @param sampleKeys the first (in key order) at most {@value Verify#MAX_SAMPLES} drifting rows'
 *     primary keys, one text per key column
 * @param state {@link JobState#DONE} if every row was checked; {@link JobState#CANCELLED} if the
 *     run stopped early, in which case a drift of 0 proves nothing
 * @param found rows found drifting before any repair (equal to {@code drift} without repair)
 * @param repaired rows a repair wrote forward(old) into; {@code drift} is what still drifted after
 *     it (old ≠ backward(new) where new = forward(old): a transform that loses information)
 */
public record VerifyResult(
    long rowsChecked,
    long drift,
    List<List<String>> sampleKeys,
    JobState state,
    long found,
    long repaired) {
  public VerifyResult {
    sampleKeys = sampleKeys.stream().map(List::copyOf).toList();
  }

  /** The whole table was checked and nothing drifted: what the {@code reads} guard needs. */
  public boolean clean() {
    return state == JobState.DONE && drift == 0;
  }
}
