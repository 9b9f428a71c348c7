package io.turnout.proxy.it;

import static io.turnout.proxy.it.Frames.bind;
import static io.turnout.proxy.it.Frames.close;
import static io.turnout.proxy.it.Frames.concat;
import static io.turnout.proxy.it.Frames.describe;
import static io.turnout.proxy.it.Frames.execute;
import static io.turnout.proxy.it.Frames.parse;
import static io.turnout.proxy.it.Frames.query;
import static io.turnout.proxy.it.Frames.sync;
import static io.turnout.proxy.it.Frames.untilReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.state.Phase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Named statements and portals of a migrated table over raw frames, where every reply can be seen:
 * the messages Turnout injects (variants, re-prepares, Closes) never show, Describe answers with
 * the old shape, and errors and pipelines are answered as PostgreSQL answers them directly.
 */
class NamedStatementFramesIT {
  @RegisterExtension static final RenameOnTheWire wire = new RenameOnTheWire();
  private static final TurnoutFixture turnout = wire.turnout();

  private static final String READ = "select email from users where id = $1";
  private static final String INSERT = "insert into users (id, email) values ($1, $2)";

  @Test
  void describeOfARoutedStatement_answersWithTheOldShape() throws Exception {
    String id = String.valueOf(wire.seededRowWithDrift());
    wire.phase(Phase.READS, 100);
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(
          concat(parse("s", READ), describe('S', "s"), bind("", "s", id), execute(""), sync()));
      assertThat(untilReady(raw, 1))
          .containsExactly("1", "t", "T:email", "2", "D:new-only", "C:SELECT 1", "Z");
    }
  }

  @Test
  void closeOfARoutedStatement_closesItsVariantsToo() throws Exception {
    wire.phase(Phase.READS, 50);
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(concat(parse("s", READ), sync()));
      assertThat(untilReady(raw, 1)).containsExactly("1", "Z");
      assertThat(preparedOnTheBackend(raw)).isEqualTo("D:2"); // s and its new variant
      raw.send(concat(close('S', "s"), sync()));
      assertThat(untilReady(raw, 1)).containsExactly("3", "Z");
      assertThat(preparedOnTheBackend(raw)).isEqualTo("D:0");
    }
  }

  @Test
  void statementParsedInPlanned_dualWritesAfterThePhaseChange_showingOnlyItsOwnReplies()
      throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(concat(parse("ins", INSERT), sync()));
      assertThat(untilReady(raw, 1)).containsExactly("1", "Z");
      wire.phase(Phase.DUAL_WRITE, 0);
      raw.send(concat(bind("", "ins", "1", "a@x"), execute(""), sync()));
      assertThat(untilReady(raw, 1)).containsExactly("2", "C:INSERT 0 1", "Z");
    }
    assertThat(wire.direct("select email_address from users where id = 1")).isEqualTo("a@x");
  }

  @Test
  void errorMidPipeline_afterAPhaseChange_isAnsweredLikePostgres() throws Exception {
    byte[] prepare = concat(parse("ins", INSERT), sync());
    // A Bind that fails (22P02), the rest of its batch skipped up to Sync, then a batch that works.
    byte[] pipeline =
        concat(
            bind("", "ins", "not-a-number", "bad"),
            execute(""),
            bind("", "ins", "7", "skipped"),
            execute(""),
            sync(),
            bind("", "ins", "8", "ok"),
            execute(""),
            sync());
    List<String> direct = new ArrayList<>();
    try (RawPgConnection raw = turnout.rawDirect()) {
      raw.send(prepare);
      direct.addAll(untilReady(raw, 1));
      raw.send(pipeline);
      direct.addAll(untilReady(raw, 2));
    }
    try (RawPgConnection raw = turnout.rawDirect()) {
      raw.send(query("truncate users"));
      assertThat(untilReady(raw, 1)).containsExactly("C:TRUNCATE TABLE", "Z");
    }
    List<String> viaTurnout = new ArrayList<>();
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(prepare);
      viaTurnout.addAll(untilReady(raw, 1));
      wire.phase(Phase.DUAL_WRITE, 0); // the first Bind re-prepares, hidden
      raw.send(pipeline);
      viaTurnout.addAll(untilReady(raw, 2));
    }
    assertThat(direct).containsExactly("1", "Z", "E:22P02", "Z", "2", "C:INSERT 0 1", "Z");
    assertThat(viaTurnout).isEqualTo(direct);
    assertThat(wire.direct("select string_agg(id || '=' || email_address, ',') from users"))
        .isEqualTo("8=ok");
  }

  @Test
  void namedPortalBoundOnTheNewPath_keepsItsPlanAcrossARollback() throws Exception {
    String id = String.valueOf(wire.seededRowWithDrift());
    wire.phase(Phase.READS, 100);
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(concat(query("begin"), parse("s", READ), bind("p", "s", id), sync()));
      assertThat(untilReady(raw, 2)).containsExactly("C:BEGIN", "Z", "1", "2", "Z");
      wire.phase(Phase.VERIFIED, 0); // rollback while the portal is open
      raw.send(concat(execute("p"), sync()));
      // A portal is a plan already made; the transaction does not switch paths half-way.
      assertThat(untilReady(raw, 1)).containsExactly("D:new-only", "C:SELECT 1", "Z");
      raw.send(concat(query("commit"), bind("", "s", id), execute(""), sync()));
      assertThat(untilReady(raw, 2))
          .containsExactly("C:COMMIT", "Z", "2", "D:old", "C:SELECT 1", "Z");
    }
  }

  @Test
  void pipelinedExecutionsOfARoutedStatement_eachGetTheirOwnAnswer() throws Exception {
    String id = String.valueOf(wire.seededRowWithDrift());
    wire.phase(Phase.READS, 100);
    ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
    pipeline.writeBytes(parse("s", READ));
    for (int i = 0; i < 50; i++) {
      pipeline.writeBytes(concat(bind("", "s", id), execute(""), sync()));
    }
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(pipeline.toByteArray());
      assertThat(untilReady(raw, 1)).containsExactly("1", "2", "D:new-only", "C:SELECT 1", "Z");
      for (int i = 1; i < 50; i++) {
        assertThat(untilReady(raw, 1))
            .as("answer %s", i)
            .containsExactly("2", "D:new-only", "C:SELECT 1", "Z");
      }
    }
  }

  @Test
  void deallocateAll_thenBind_failsLikePostgres_withoutResurrectingTheStatement() throws Exception {
    byte[] script =
        concat(
            parse("s", READ),
            sync(),
            query("deallocate all"),
            bind("", "s", "1"),
            execute(""),
            sync());
    List<String> direct;
    try (RawPgConnection raw = turnout.rawDirect()) {
      raw.send(script);
      direct = untilReady(raw, 3);
    }
    wire.phase(Phase.READS, 50);
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(script);
      assertThat(untilReady(raw, 3)).isEqualTo(direct);
      assertThat(preparedOnTheBackend(raw)).isEqualTo("D:0");
    }
    assertThat(direct).containsExactly("1", "Z", "C:DEALLOCATE ALL", "Z", "E:26000", "Z");
  }

  /** How many prepared statements the session's backend holds, variants included. */
  private static String preparedOnTheBackend(RawPgConnection raw) throws IOException {
    raw.send(query("select count(*) from pg_prepared_statements"));
    List<String> replies = untilReady(raw, 1);
    assertThat(replies).hasSize(4);
    return replies.get(1);
  }
}
