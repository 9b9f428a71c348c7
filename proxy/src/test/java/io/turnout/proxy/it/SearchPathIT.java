package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.state.Phase;
import io.turnout.router.catalog.CatalogLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unqualified names resolve through the session's own search_path, as PostgreSQL resolves them: a
 * session whose path puts another schema's {@code users} first writes that table, untouched by the
 * migration of {@code public.users}, and named statements are decided again when the path changes.
 */
class SearchPathIT {
  @RegisterExtension static final RenameOnTheWire wire = new RenameOnTheWire();

  @BeforeAll
  static void otherUsers() throws SQLException {
    try (Connection c = wire.turnout().connectDirect();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS other");
      s.execute("CREATE TABLE IF NOT EXISTS other.users (id bigserial PRIMARY KEY, email text)");
      wire.routing().catalog(CatalogLoader.load(c)); // as after the DDL the control plane sees
    }
  }

  @Test
  void sessionPathPuttingAnotherUsersFirst_writesItUnchanged() throws SQLException {
    wire.phase(Phase.DUAL_WRITE, 0);
    for (String mode : new String[] {"simple", "extended"}) {
      try (Connection c = connect(mode, 0);
          Statement s = c.createStatement()) {
        s.execute("SET search_path TO other, public");
        assertThat(s.executeUpdate("insert into users (email) values ('in-other')")).isEqualTo(1);
        s.execute("RESET search_path");
        assertThat(s.executeUpdate("insert into users (email) values ('in-public')")).isEqualTo(1);
      }
    }
    assertThat(wire.direct("select count(*) from other.users where email = 'in-other'"))
        .isEqualTo("2");
    assertThat(wire.direct("select string_agg(email_address, ',') from public.users"))
        .isEqualTo("in-public,in-public");
  }

  @Test
  void namedStatement_isDecidedAgain_whenThePathChanges() throws SQLException {
    wire.phase(Phase.DUAL_WRITE, 0);
    try (Connection c = connect("extended", 1);
        PreparedStatement insert = c.prepareStatement("insert into users (email) values (?)");
        Statement s = c.createStatement()) {
      insert.setString(1, "public-1");
      insert.executeUpdate(); // prepared for public.users: dual-written
      s.execute("SET search_path = other, public");
      insert.setString(1, "other-1");
      assertThat(insert.executeUpdate()).isEqualTo(1);
      s.execute("SET search_path = public");
      insert.setString(1, "public-2");
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
    assertThat(wire.direct("select string_agg(email_address, ',' order by id) from public.users"))
        .isEqualTo("public-1,public-2");
    assertThat(wire.direct("select count(*) from other.users where email = 'other-1'"))
        .isEqualTo("1");
  }

  @Test
  void rawNamedStatement_isDecidedAgain_whenThePathChanges() throws Exception {
    wire.phase(Phase.DUAL_WRITE, 0);
    try (RawPgConnection raw = RawPgConnection.open(wire.turnout().address())) {
      raw.startup(
          wire.turnout().postgres().superuser(),
          wire.turnout().database(),
          wire.turnout().postgres().superuserPassword());
      raw.send(
          Frames.concat(
              Frames.parse("ins", "insert into users (email) values ($1)"), Frames.sync()));
      assertThat(Frames.untilReady(raw, 1)).containsExactly("1", "Z");
      raw.send(Frames.query("SET search_path = other, public"));
      assertThat(Frames.untilReady(raw, 1)).containsExactly("C:SET", "Z");
      raw.send(
          Frames.concat(Frames.bind("", "ins", "raw-other"), Frames.execute(""), Frames.sync()));
      assertThat(Frames.untilReady(raw, 1)).containsExactly("2", "C:INSERT 0 1", "Z");
    }
  }

  private static Connection connect(String mode, int prepareThreshold) throws SQLException {
    Properties p = new Properties();
    p.setProperty("preferQueryMode", mode);
    p.setProperty("prepareThreshold", String.valueOf(prepareThreshold));
    return wire.turnout().connectThroughTurnout(p);
  }
}
