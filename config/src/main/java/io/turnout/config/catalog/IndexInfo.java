package io.turnout.config.catalog;

import java.util.List;

/** One index: its name, whether it is unique, its key columns, and its full definition. */
public record IndexInfo(String name, boolean unique, List<String> columns, String definition) {
  public IndexInfo {
    columns = List.copyOf(columns);
  }
}
