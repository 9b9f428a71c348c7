package io.turnout.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The parser against the corpus copy this module ships (no ../shared needed). */
class CorpusTest {

  @Test
  void statements_realFile_has352WithUniqueIds() {
    List<CorpusStatement> all = Corpus.statements();
    assertEquals(352, all.size());
    assertEquals(352, all.stream().map(CorpusStatement::id).distinct().count());
  }

  @Test
  void statements_realFile_categoryCounts() {
    Map<String, Long> counts =
        Corpus.statements().stream()
            .collect(
                Collectors.groupingBy(
                    CorpusStatement::category, TreeMap::new, Collectors.counting()));
    assertEquals(
        Map.of(
            "DELETE", 11L, "INSERT", 21L, "PGSPEC", 140L, "SELECT", 94L, "UPDATE", 20L, "UTILITY",
            66L),
        counts);
  }

  @Test
  void statements_realFile_118HaveParams() {
    assertEquals(118, Corpus.statements().stream().filter(s -> !s.params().isEmpty()).count());
  }

  @Test
  void hib01_headerParamsAndSql() {
    CorpusStatement s = Corpus.statement("hib01");
    assertEquals("SELECT", s.category());
    assertEquals("hibernate5", s.source());
    assertEquals(Set.of("alias"), s.tags());
    assertEquals(List.of("1"), s.params());
    assertTrue(s.sql().startsWith("select user0_.id as id1_0_0_"));
    assertTrue(s.sql().endsWith("where user0_.id=?"));
  }

  @Test
  void hib03_threeParamsOfMixedType() {
    CorpusStatement s = Corpus.statement("hib03");
    assertEquals(List.of("'active'", "10", "5"), s.params());
    assertEquals(Arrays.asList("active", "10", "5"), s.paramValues());
    assertEquals(Set.of("alias", "limit"), s.tags());
  }

  @Test
  void hib19_booleanParam() {
    CorpusStatement s = Corpus.statement("hib19");
    assertEquals(List.of("'new@example.com'", "'New'", "'active'", "25", "true", "0"), s.params());
    assertEquals("true", s.paramValues().get(4));
  }

  @Test
  void arrayAndJsonParams_stayOneParamEach() {
    CorpusStatement sku = only(s -> s.params().equals(List.of("1", "'{SKU-0001,SKU-0002}'")));
    assertEquals("{SKU-0001,SKU-0002}", sku.paramValues().get(1));
    CorpusStatement event =
        only(s -> s.params().size() == 4 && s.params().get(2).equals("'{\"x\": 1}'"));
    assertEquals(List.of("1", "click", "{\"x\": 1}", "2024-06-01T00:00:00Z"), event.paramValues());
  }

  @Test
  void rails21_multiLineSqlKeptWhole() {
    CorpusStatement s = Corpus.statement("rails21");
    assertEquals(12, s.sql().lines().count());
    assertTrue(s.sql().contains("WHERE a.attrelid = '\"users\"'::regclass"));
    assertTrue(s.sql().endsWith("ORDER BY a.attnum"));
    assertTrue(s.params().isEmpty());
  }

  @Test
  void pg53_commentLinesInsideStatementKept() {
    CorpusStatement s = Corpus.statement("pg53");
    assertEquals("SELECT id -- the primary key\nFROM users -- table\nWHERE id = 2", s.sql());
  }

  @Test
  void lastStatement_endsAtEndOfFile() {
    CorpusStatement last = Corpus.statements().get(Corpus.statements().size() - 1);
    assertEquals("ut50", last.id());
    assertEquals("SELECT set_config('app.tenant_id', '42', true)", last.sql());
  }

  @Test
  void placeholders_matchParamCount() {
    for (CorpusStatement s : Corpus.statements()) {
      if (s.params().isEmpty()) {
        continue;
      }
      long questionMarks = s.sql().replaceAll("'[^']*'", "").chars().filter(c -> c == '?').count();
      int maxDollar = 0;
      var m = java.util.regex.Pattern.compile("\\$(\\d+)").matcher(s.sql());
      while (m.find()) {
        maxDollar = Math.max(maxDollar, Integer.parseInt(m.group(1)));
      }
      long placeholders = Math.max(questionMarks, maxDollar);
      assertEquals(
          s.params().size(), placeholders, () -> s.id() + ": " + s.params() + " for " + s.sql());
    }
  }

  @Test
  void noexecTag_present() {
    assertTrue(Corpus.statements().stream().anyMatch(s -> s.hasTag("noexec")));
    assertFalse(Corpus.statement("hib01").hasTag("noexec"));
  }

  @Test
  void schemaSql_createsUsersAndOrders() {
    String schema = Corpus.schemaSql();
    assertTrue(schema.contains("CREATE TABLE users ("));
    assertTrue(schema.contains("CREATE TABLE orders"));
  }

  @Test
  void bundledCopy_isTheSameAsTheSharedCorpusWhenOneIsBeside() throws Exception {
    // The copy is what every clone reads; when the steering repo's corpus is beside this checkout
    // (the developers' machines), it must not have drifted from it.
    java.nio.file.Path shared = null;
    for (var d = java.nio.file.Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      var candidate = d.resolveSibling("shared").resolve("corpus").resolve("statements.sql");
      if (java.nio.file.Files.isRegularFile(candidate)) {
        shared = candidate;
        break;
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "no shared/corpus beside");
    assertEquals(
        Corpus.parse(java.nio.file.Files.readString(shared), shared.toString()).size(),
        Corpus.statements().size());
    assertEquals(
        java.nio.file.Files.readString(shared.resolveSibling("schema.sql")), Corpus.schemaSql());
  }

  private static CorpusStatement only(java.util.function.Predicate<CorpusStatement> p) {
    List<CorpusStatement> matches =
        Corpus.statements().stream().filter(p).collect(Collectors.toList());
    assertEquals(1, matches.size(), () -> "matches: " + matches);
    return matches.get(0);
  }
}
