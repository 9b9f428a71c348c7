-- Sample data for `turnout demo`: a small shop whose users table is about to change shape.
CREATE TABLE users (
  id         bigserial PRIMARY KEY,
  email      varchar(255) NOT NULL UNIQUE,
  name       text,
  first_name text,
  last_name  text,
  status     text NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id         bigserial PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id),
  total      numeric(12,2) NOT NULL,
  status     text NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (email, name)
SELECT 'user' || i || '@example.com',
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald'])[1 + i % 6] || ' ' ||
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth'])[1 + (i / 6) % 6]
FROM generate_series(1, 1000) AS i;

INSERT INTO orders (user_id, total, status)
SELECT 1 + (i * 7) % 1000, round((i % 500) * 1.37, 2),
       (ARRAY['pending','paid','shipped'])[1 + i % 3]
FROM generate_series(1, 5000) AS i;
