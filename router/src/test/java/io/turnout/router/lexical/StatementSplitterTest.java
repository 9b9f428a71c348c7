package io.turnout.router.lexical;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {
  @Test
  void split_atTopLevelSemicolonsOnly() {
    assertEquals(
        List.of("select 'a;b'", " select $$;$$", " select E'\\';'", " select \";\"", " select (1)"),
        StatementSplitter.statements(
            "select 'a;b'; select $$;$$; select E'\\';'; select \";\"; select (1)"));
  }

  @Test
  void split_keepsCommentsAndDropsEmptyStatements() {
    assertEquals(
        List.of("/* a; */ select 1", " -- x;\nselect 2"),
        StatementSplitter.statements("/* a; */ select 1; -- x;\nselect 2;;  ;"));
  }

  @Test
  void split_reportsOffsets() {
    List<StatementSplitter.Piece> p = StatementSplitter.split("SELECT 1 AS a; SELECT 2 AS b");
    assertEquals(2, p.size());
    assertEquals(0, p.get(0).start());
    assertEquals(13, p.get(0).end());
    assertEquals(14, p.get(1).start());
  }
}
