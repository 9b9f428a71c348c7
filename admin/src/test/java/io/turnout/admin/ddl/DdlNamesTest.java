package io.turnout.admin.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DdlNamesTest {

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void indexCopy_oldColumnIsAPartOfTheName_isReplaced() {
    assertThat(DdlNames.indexCopy("users_email_key", "email", "email_address"))
        .isEqualTo("users_email_address_key");
    assertThat(DdlNames.indexCopy("email_idx", "email", "mail")).isEqualTo("mail_idx");
  }

  @Test
  void indexCopy_oldColumnOnlyInsideAWord_appendsTheNewColumn() {
    assertThat(DdlNames.indexCopy("users_emails_idx", "email", "mail"))
        .isEqualTo("users_emails_idx_mail");
    assertThat(DdlNames.indexCopy("login_idx", "email", "mail")).isEqualTo("login_idx_mail");
  }

  @Test
  void notNullConstraint_isTableColumnNotNull() {
    assertThat(DdlNames.notNullConstraint("users", "email_address"))
        .isEqualTo("users_email_address_not_null");
  }

  @Test
  void fit_shortName_isUnchanged() {
    String name = "a".repeat(63);
    assertThat(DdlNames.fit(name)).isSameAs(name);
  }

  @Test
  void fit_longName_isCutTo63BytesWithAHashThatTellsNamesApart() {
    String a = "x".repeat(60) + "_first_not_null";
    String b = "x".repeat(60) + "_second_not_null";
    assertThat(bytes(DdlNames.fit(a))).isEqualTo(63);
    assertThat(DdlNames.fit(a)).startsWith("x".repeat(54) + "_").isNotEqualTo(DdlNames.fit(b));
    assertThat(DdlNames.fit(a)).isEqualTo(DdlNames.fit(a));
  }

  @Test
  void fit_multiByteName_neverSplitsACharacter() {
    String name = "ü".repeat(40); // 80 bytes
    String fitted = DdlNames.fit(name);
    assertThat(bytes(fitted)).isLessThanOrEqualTo(63);
    assertThat(fitted).startsWith("ü".repeat(27) + "_");
  }
}
