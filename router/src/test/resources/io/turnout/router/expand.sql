-- What "turnout expand" does for the two fixture migrations, followed by a backfill, so that the
-- data is consistent: email_address = email; first_name/last_name = forward(name).
ALTER TABLE users ADD COLUMN email_address varchar(255);
CREATE UNIQUE INDEX users_email_address_key ON users (email_address);
ALTER TABLE users ADD COLUMN first_name text;
ALTER TABLE users ADD COLUMN last_name text;
UPDATE users SET email_address = email,
                 first_name = split_part(name, ' ', 1),
                 last_name = nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '');
-- type change: orders.total numeric(12,2) -> total_cents bigint
ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL DEFAULT 0;
UPDATE orders SET total_cents = (total * 100)::bigint;
-- merge: contacts.given + family -> display_name
ALTER TABLE contacts ADD COLUMN display_name text;
UPDATE contacts SET display_name = nullif(concat_ws(' ', given, family), '');
