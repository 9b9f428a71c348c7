-- Turnout's control schema, version 1. Applied by SchemaMigrator under an advisory lock, so
-- instances starting together apply it once. Statements are separated by lines holding only ';'.

-- One row: the state version. Every change increments it in the transaction that makes the change,
-- so commit order is version order and an instance that has applied version N has every change <= N.
CREATE TABLE turnout.state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
)
;
INSERT INTO turnout.state (singleton, version) VALUES (true, 0)
;
-- One row per migration that has left 'planned'. A migration of the plan with no row is planned.
CREATE TABLE turnout.migration_state (
  migration_id text PRIMARY KEY,
  phase text NOT NULL,
  read_percent integer NOT NULL CHECK (read_percent BETWEEN 0 AND 100),
  shadow_percent integer NOT NULL CHECK (shadow_percent BETWEEN 0 AND 100),
  version bigint NOT NULL,            -- the state version of this row's last change
  phase_since timestamptz NOT NULL,   -- when the current phase was entered (soak time)
  backfilled_at timestamptz,          -- end of the last complete backfill pass
  verified_at timestamptz,            -- end of the last verify
  drift bigint,                       -- rows the last verify found different; null: never verified
  updated_at timestamptz NOT NULL
)
;
-- Every accepted change: who, when, from where, from what to what, and why.
CREATE TABLE turnout.audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  migration_id text NOT NULL,
  action text NOT NULL,
  actor text NOT NULL,
  client_addr text,
  from_phase text NOT NULL,
  to_phase text NOT NULL,
  from_read_percent integer NOT NULL,
  to_read_percent integer NOT NULL,
  from_shadow_percent integer NOT NULL,
  to_shadow_percent integer NOT NULL,
  reason text,
  version bigint NOT NULL
)
;
CREATE INDEX audit_migration_at ON turnout.audit (migration_id, at)
;
-- Where a job (backfill, verify) stands, so a killed Turnout resumes instead of starting over.
-- last_key holds the primary key of the last row done, one text value per key column.
CREATE TABLE turnout.checkpoint (
  migration_id text NOT NULL,
  job text NOT NULL,
  last_key text[],
  rows_done bigint NOT NULL DEFAULT 0,
  rows_total bigint,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  PRIMARY KEY (migration_id, job)
)
;
-- Who still sends statements that use the old (or the new) names: flushed by every instance.
CREATE TABLE turnout.usage (
  migration_id text NOT NULL,
  names text NOT NULL CHECK (names IN ('old', 'new')),
  application_name text NOT NULL,
  role text NOT NULL,
  client_addr text NOT NULL,
  statements bigint NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (migration_id, names, application_name, role, client_addr)
)
;
-- Shadow comparison totals per migration (written by the shadow module), read by the reads guard.
CREATE TABLE turnout.shadow_totals (
  migration_id text PRIMARY KEY,
  compared bigint NOT NULL DEFAULT 0,
  mismatched bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
)
;
-- Every running instance and the state version it has applied (heartbeat), for status and tests.
CREATE TABLE turnout.instance (
  instance_id text PRIMARY KEY,
  applied_version bigint NOT NULL,
  started_at timestamptz NOT NULL,
  seen_at timestamptz NOT NULL
)
