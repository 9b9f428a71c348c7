package io.turnout.router.rewrite;

/** A column a dual-write adds to a write: its name, its derivation, and the plan it serves. */
record DerivedColumn(String column, Template template, ColumnPlan plan) {}
