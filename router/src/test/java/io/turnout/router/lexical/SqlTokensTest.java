package io.turnout.router.lexical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTokensTest {
  private static List<String> texts(String sql) {
    SqlTokens t = SqlTokens.scan(sql);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      out.add(t.text(i));
    }
    return out;
  }

  @Test
  void scan_dropsCommentsAndWhitespace_keepsLiteralsWhole() {
    assertEquals(
        List.of("select", "'a;b'", ",", "E'it\\'s'", ",", "$$x;y$$", "from", "\"T\"\"q\""),
        texts("select /* c; /* nested */ */ 'a;b', E'it\\'s', $$x;y$$ -- tail;\n from \"T\"\"q\""));
  }

  @Test
  void scan_paramsCastsAndOperators() {
    assertEquals(List.of("$1", "::", "bigint", "<>", "$12"), texts("$1::bigint<>$12"));
    assertEquals(List.of("a", "->>", "'k'"), texts("a->>'k'"));
  }

  @Test
  void maxDepth_countsParenthesesAndBracketsOutsideLiterals() {
    assertEquals(0, SqlTokens.scan("select 1").maxDepth());
    assertEquals(4, SqlTokens.scan("select f((1), (((2))))").maxDepth());
    assertEquals(2, SqlTokens.scan("select a[(1)] from t").maxDepth());
    assertEquals(
        1, SqlTokens.scan("select '((((', \"((\", $$((($$ /* (( */ -- ((\n, (1)").maxDepth());
    assertEquals(1, SqlTokens.scan("select ))) (1)").maxDepth());
  }

  @Test
  void identifier_foldsUnquotedAndKeepsQuotedCase() {
    SqlTokens t = SqlTokens.scan("Users \"Users\" \"a\"\"b\"");
    assertEquals("users", t.identifier(0));
    assertEquals("Users", t.identifier(1));
    assertEquals("a\"b", t.identifier(2));
  }

  @Test
  void hazards_taggedDollarQuoteAndUnicodeEscapeAreFlagged() {
    assertTrue(SqlTokens.scan("select $tag$ x $$ y $tag$").hasTaggedDollarQuote());
    assertFalse(SqlTokens.scan("select $$ x $$").hasTaggedDollarQuote());
    assertTrue(SqlTokens.scan("select U&'d\\0061t'").hasUnicodeEscape());
    assertTrue(SqlTokens.scan("select 'open").hasUnterminated());
  }

  @Test
  void indexHelpers_findTokensByOffset() {
    SqlTokens t = SqlTokens.scan("select  id from t");
    assertEquals(1, t.indexStartingAt(8));
    assertEquals(1, t.indexEndingAt(10));
    assertEquals(-1, t.indexStartingAt(9));
    assertEquals(2, t.indexAtOrAfter(9));
  }
}
