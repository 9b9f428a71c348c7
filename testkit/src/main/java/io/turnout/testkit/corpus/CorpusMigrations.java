package io.turnout.testkit.corpus;

import java.util.List;

/**
 * The two migrations the corpus is tested under, as SQL: {@code rename_column users.email →
 * email_address} ({@value #RENAME_ID}) and {@code transform_column users.name → first_name,
 * last_name} ({@value #SPLIT_ID}) with the forward and backward expressions below, and the schema
 * changes that give each side its shape. The plan objects themselves are built by the tests that
 * have the plan types (router's CorpusIT, proxy's corpus differential), from these strings.
 *
 * <p>schema.sql is the expanded shape for the split (first_name and last_name exist, but are seeded
 * with values of their own: {@link #CONSISTENT} makes them forward(name)) and the old shape for the
 * rename (no email_address: {@link #EXPAND_RENAME} adds it).
 */
public final class CorpusMigrations {
  public static final String RENAME_ID = "rename-email";
  public static final String SPLIT_ID = "split-name";

  public static final String FORWARD_FIRST = "split_part(name, ' ', 1)";
  public static final String FORWARD_LAST =
      "nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')";
  public static final String BACKWARD = "nullif(concat_ws(' ', first_name, last_name), '')";

  /** Makes the split's new columns agree with name: first_name, last_name = forward(name). */
  public static final String CONSISTENT =
      "UPDATE users SET first_name = " + FORWARD_FIRST + ", last_name = " + FORWARD_LAST;

  /** The rename's expand step, then its backfill: email_address, unique, equal to email. */
  public static final List<String> EXPAND_RENAME =
      List.of(
          "ALTER TABLE users ADD COLUMN email_address varchar(255)",
          "CREATE UNIQUE INDEX users_email_address_key ON users (email_address)",
          "UPDATE users SET email_address = email");

  /** What old application code was written for: the split's new columns do not exist yet. */
  public static final String OLD_SHAPE =
      "ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name";

  private CorpusMigrations() {}
}
