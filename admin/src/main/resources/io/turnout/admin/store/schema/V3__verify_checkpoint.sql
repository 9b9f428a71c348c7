-- A verify keeps its place too: a verify stopped by a restart resumes after its last chunk, with
-- the drift it had counted and the first drifting keys it had found.
ALTER TABLE turnout.checkpoint
  ADD COLUMN drift bigint NOT NULL DEFAULT 0,
  ADD COLUMN found bigint NOT NULL DEFAULT 0,
  ADD COLUMN repaired bigint NOT NULL DEFAULT 0,
  ADD COLUMN sample_keys jsonb
;
