package io.turnout.router.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateTest {
  @Test
  void render_replacesEachColumnReference() {
    Template t = Template.parse("nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '')");
    assertEquals(Set.of("name"), t.columns());
    assertEquals(
        "nullif(substr(v.c1, length(split_part(v.c1, ' ', 1)) + 2), '')", t.render(c -> "v.c1"));
    assertEquals(
        "nullif(substr((a || b), length(split_part((a || b), ' ', 1)) + 2), '')",
        t.render(c -> "a || b"));
  }

  @Test
  void parse_rejectsQualifiedColumns() {
    assertThrows(IllegalArgumentException.class, () -> Template.parse("u.name"));
  }

  @Test
  void column_isTheIdentity() {
    Template t = Template.column("email");
    assertEquals("$1", t.render(c -> "$1"));
    assertEquals(List.of("email"), List.copyOf(t.columns()));
  }
}
