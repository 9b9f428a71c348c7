-- The schema new application code is written for: after contract, only the new columns remain.
ALTER TABLE users DROP COLUMN email, DROP COLUMN name;
ALTER TABLE users ALTER COLUMN email_address SET NOT NULL;
ALTER TABLE orders DROP COLUMN total;
ALTER TABLE contacts DROP COLUMN given, DROP COLUMN family;
