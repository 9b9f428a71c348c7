-- A backfill pass walks keys up to the greatest key at its start: rows inserted after it are
-- dual-written already, so the pass never chases the table's tail. Kept for resuming the pass.
ALTER TABLE turnout.checkpoint ADD COLUMN upper_key text[]
;
