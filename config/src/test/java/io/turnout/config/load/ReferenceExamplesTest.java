package io.turnout.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.TurnoutConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every complete plan file shown in REFERENCE.md loads, so the reference cannot drift. */
class ReferenceExamplesTest {
  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);

  @Test
  void referenceExamples_allLoad() throws Exception {
    String reference = Files.readString(Path.of("REFERENCE.md"));
    List<String> files = new ArrayList<>();
    Matcher m = YAML_BLOCK.matcher(reference);
    while (m.find()) {
      String block = m.group(1);
      if (!block.startsWith(" ")) { // fragments of a migrations list are indented
        files.add(block);
      }
    }
    ConfigLoader loader =
        new ConfigLoader(
            Map.of("TURNOUT_ADMIN_TOKEN", "t", "PGPASSWORD", "pw", "GREEN_PASSWORD", "pw"));

    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    for (String file : files) {
      TurnoutConfig config = loader.load(file, "REFERENCE.md");
      assertThat(config.backends()).isNotEmpty();
    }
  }
}
