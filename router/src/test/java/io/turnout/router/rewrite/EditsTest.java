package io.turnout.router.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EditsTest {
  @Test
  void apply_splicesAndKeepsEverythingElseByteIdentical() {
    Edits e = new Edits("select  a /*c*/ from t");
    e.replace(8, 9, "b");
    e.insert(9, " AS a");
    assertEquals("select  b AS a /*c*/ from t", e.apply());
  }

  @Test
  void render_appliesEditsInsideASpan_andReplaceAbsorbsThem() {
    Edits e = new Edits("f(a, b)");
    e.replace(2, 3, "x");
    assertEquals("f(x, b)", e.render(0, 7));
    e.replace(0, 7, "g(" + e.render(2, 6) + ")");
    assertEquals("g(x, b)", e.apply());
  }

  @Test
  void replace_partlyOverlappingEditsAreABug() {
    Edits e = new Edits("abcdef");
    e.replace(1, 3, "X");
    assertThrows(IllegalStateException.class, () -> e.replace(2, 5, "Y"));
  }
}
