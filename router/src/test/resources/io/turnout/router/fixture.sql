-- Fixture for the rewrite cases: a small "users" table in its old shape plus an unrelated
-- table, with deterministic data. The migrated database additionally runs expand.sql.
CREATE SEQUENCE ticket_seq START 1000;
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  email       varchar(255) NOT NULL UNIQUE,
  name        text,
  status      text NOT NULL DEFAULT 'active',
  age         integer,
  login_count integer NOT NULL DEFAULT 0,
  tags        text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  token       text DEFAULT md5(random()::text)
);
CREATE TABLE orders (
  id      bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  total   numeric(12,2) NOT NULL DEFAULT 0,
  status  text NOT NULL DEFAULT 'new',
  note    text
);
CREATE TABLE audit (
  id      bigserial PRIMARY KEY,
  user_id bigint,
  email   text,
  name    text,
  at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE contacts (
  id     serial PRIMARY KEY,
  given  text NOT NULL,
  family text,
  phone  text
);
INSERT INTO users (email, name, status, age, login_count, tags, created_at, token)
SELECT 'user' || g || '@example.com',
       CASE WHEN g % 7 = 0 THEN NULL WHEN g % 5 = 0 THEN 'Solo' || g ELSE 'First' || g || ' Last ' || g END,
       (ARRAY['active','inactive','banned'])[1 + g % 3], 18 + g, g * 2,
       CASE WHEN g % 2 = 0 THEN ARRAY['beta'] ELSE ARRAY[]::text[] END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day', 'tok' || g
FROM generate_series(1, 20) g;
INSERT INTO orders (user_id, total, status, note)
SELECT 1 + g % 10, g * 10.5, (ARRAY['new','paid','shipped'])[1 + g % 3], CASE WHEN g % 4 = 0 THEN 'gift' END
FROM generate_series(1, 40) g;
INSERT INTO audit (user_id, email, name, at)
SELECT 10 + g, 'audit' || g || '@example.com', 'Audit' || g || ' Person', timestamptz '2024-03-01 00:00:00+00'
FROM generate_series(1, 5) g;
-- A volatile user function: the router must evaluate it once per stored value.
CREATE FUNCTION next_ticket() RETURNS text LANGUAGE sql VOLATILE AS 'SELECT ''T'' || nextval(''ticket_seq'')';
INSERT INTO contacts (given, family, phone)
SELECT 'Given' || g, CASE WHEN g % 3 = 0 THEN NULL WHEN g % 4 = 0 THEN 'Van Family' || g ELSE 'Family' || g END,
       '555-' || g
FROM generate_series(1, 8) g;
