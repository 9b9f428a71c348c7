package io.turnout.config.catalog;

import java.util.Optional;

/**
 * One column. {@code type} is PostgreSQL's formatted type ({@code format_type(atttypid,
 * atttypmod)}, e.g. {@code character varying(255)}); {@code defaultExpression} is the column
 * default as {@code pg_get_expr} prints it.
 */
public record ColumnInfo(
    String name, String type, int typeOid, boolean notNull, Optional<String> defaultExpression) {}
