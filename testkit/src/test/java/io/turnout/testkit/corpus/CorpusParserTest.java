package io.turnout.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorpusParserTest {

  @Test
  void splitParams_commaInsideStringIsNotASeparator() {
    assertEquals(List.of("'a, b'", "2"), CorpusParser.splitParams(" 'a, b', 2"));
  }

  @Test
  void splitParams_doubledQuoteInsideString() {
    assertEquals(
        List.of("'O''Brien, Pat'", "'x'"), CorpusParser.splitParams("'O''Brien, Pat', 'x'"));
  }

  @Test
  void splitParams_escapeStringWithBackslashQuote() {
    assertEquals(List.of("E'it\\'s, ok'", "3"), CorpusParser.splitParams("E'it\\'s, ok', 3"));
  }

  @Test
  void splitParams_arrayLiteralAndConstructorAndRow() {
    assertEquals(
        List.of("'{a,b}'", "ARRAY[1, 2]", "ROW(1, 'x,y')", "'{\"k\": [1, 2]}'::jsonb"),
        CorpusParser.splitParams("'{a,b}', ARRAY[1, 2], ROW(1, 'x,y'), '{\"k\": [1, 2]}'::jsonb"));
  }

  @Test
  void splitParams_nullNumbersBooleans() {
    assertEquals(
        List.of("NULL", "-1.5", "1e3", "true", "FALSE"),
        CorpusParser.splitParams("NULL, -1.5, 1e3, true, FALSE"));
  }

  @Test
  void splitParams_emptyListIsNoParams() {
    assertEquals(List.of(), CorpusParser.splitParams("   "));
  }

  @Test
  void splitParams_errors() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CorpusParser.splitParams("'open, 1"))
            .getMessage()
            .contains("unterminated string"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CorpusParser.splitParams("1,, 2"))
            .getMessage()
            .contains("empty parameter"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CorpusParser.splitParams("ARRAY[1, 2"))
            .getMessage()
            .contains("unbalanced"));
  }

  @Test
  void literalValue_decodesStringsNullAndCasts() {
    List<String> values =
        Arrays.asList(
            CorpusParser.literalValue("'paid'"),
            CorpusParser.literalValue("'O''Brien'"),
            CorpusParser.literalValue("NULL"),
            CorpusParser.literalValue("null"),
            CorpusParser.literalValue("10.50"),
            CorpusParser.literalValue("TRUE"),
            CorpusParser.literalValue("'{a,b}'"),
            CorpusParser.literalValue("'{\"x\": 1}'::jsonb"),
            CorpusParser.literalValue("E'a\\nb'"),
            CorpusParser.literalValue("ARRAY[1,2]"));
    assertEquals(
        Arrays.asList(
            "paid",
            "O'Brien",
            null,
            null,
            "10.50",
            "true",
            "{a,b}",
            "{\"x\": 1}",
            "a\nb",
            "ARRAY[1,2]"),
        values);
    assertNull(
        new CorpusStatement("x", "SELECT", "s", java.util.Set.of(), List.of("NULL"), "select $1")
            .paramValues()
            .get(0));
  }

  @Test
  void parse_headerParamsSqlAndComments() {
    String text =
        "--@@ a1 | SELECT | rails | x, y\n--@p 'a', 1\nselect $1,\n  $2\n\n"
            + "--@@ a2 | UTILITY | handwritten | \n-- a comment line\nVACUUM users\n";
    List<CorpusStatement> s = Corpus.parse(text, "t.sql");
    assertEquals(2, s.size());
    assertEquals(
        new CorpusStatement(
            "a1",
            "SELECT",
            "rails",
            java.util.Set.of("x", "y"),
            List.of("'a'", "1"),
            "select $1,\n  $2"),
        s.get(0));
    assertEquals(java.util.Set.of(), s.get(1).tags());
    assertEquals("-- a comment line\nVACUUM users", s.get(1).sql());
  }

  @Test
  void parse_errorsNameFileAndLine() {
    assertEquals(
        "t.sql:3: duplicate id 'a'",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Corpus.parse(
                        "--@@ a | SELECT | s | t\nselect 1\n--@@ a | SELECT | s | t\nselect 2\n",
                        "t.sql"))
            .getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> Corpus.parse("--@@ a | SELEKT | s | t\nselect 1\n", "t.sql"))
            .getMessage()
            .startsWith("t.sql:1: statement a has unknown category 'SELEKT'"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> Corpus.parse("--@@ a | SELECT | s\nselect 1\n", "t.sql"))
            .getMessage()
            .startsWith("t.sql:1: header needs 4 fields"));
    assertEquals(
        "t.sql:2: statement a: unterminated string literal in:  'x",
        assertThrows(
                IllegalArgumentException.class,
                () -> Corpus.parse("--@@ a | SELECT | s | t\n--@p 'x\nselect ?\n", "t.sql"))
            .getMessage());
    assertEquals(
        "t.sql:1: statement a has no SQL",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Corpus.parse(
                        "--@@ a | SELECT | s | t\n\n--@@ b | SELECT | s | t\nselect 1", "t.sql"))
            .getMessage());
  }
}
