package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** COPY FROM STDIN and COPY TO STDOUT of 200k rows through Turnout, checked row by row. */
class CopyIT {
  private static final int ROWS = 200_000;

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  /** The rows as CSV, written exactly as PostgreSQL writes them (so COPY TO must give it back). */
  private static String csv;

  /** The same rows as {@code id|name|amount} lines, the text the server-side checksum hashes. */
  private static String canonical;

  @BeforeAll
  static void generateRows() {
    StringBuilder csvText = new StringBuilder(ROWS * 32);
    StringBuilder canonicalText = new StringBuilder(ROWS * 32);
    for (int i = 1; i <= ROWS; i++) {
      String name = i % 7 == 0 ? "said \"hi\", row " + i : "row-" + i + "-ünïcødé";
      String amount = String.format(Locale.ROOT, "%d.%02d", i * 3L / 100, i * 3L % 100);
      String csvName =
          name.indexOf(',') >= 0 || name.indexOf('"') >= 0
              ? '"' + name.replace("\"", "\"\"") + '"'
              : name;
      csvText.append(i).append(',').append(csvName).append(',').append(amount).append('\n');
      if (i > 1) {
        canonicalText.append('\n');
      }
      canonicalText.append(i).append('|').append(name).append('|').append(amount);
    }
    csv = csvText.toString();
    canonical = canonicalText.toString();
  }

  @Test
  void copyFromStdin_throughTurnout_storesEveryRowIntact() throws Exception {
    String table = createTable("copy_in");
    try (Connection c = turnout.connectThroughTurnout()) {
      long copied =
          copyApi(c).copyIn("copy " + table + " from stdin (format csv)", new StringReader(csv));
      assertThat(copied).isEqualTo(ROWS);
    }
    try (Connection direct = turnout.connectDirect();
        Statement st = direct.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select count(*), md5(string_agg(id || '|' || name || '|' || amount, E'\\n'"
                    + " order by id)) from "
                    + table)) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(ROWS);
      assertThat(rs.getString(2)).as("checksum of the stored rows").isEqualTo(md5(canonical));
    }
  }

  @Test
  void copyToStdout_throughTurnout_returnsSameBytesAsDirect() throws Exception {
    String table = createTable("copy_out");
    try (Connection direct = turnout.connectDirect()) {
      assertThat(
              copyApi(direct)
                  .copyIn("copy " + table + " from stdin (format csv)", new StringReader(csv)))
          .isEqualTo(ROWS);
    }
    String copyOut = "copy (select * from " + table + " order by id) to stdout (format csv)";
    byte[] throughTurnout;
    byte[] direct;
    try (Connection c = turnout.connectThroughTurnout()) {
      throughTurnout = copyOut(c, copyOut);
    }
    try (Connection c = turnout.connectDirect()) {
      direct = copyOut(c, copyOut);
    }
    String text = new String(throughTurnout, StandardCharsets.UTF_8);
    assertThat(text.split("\n", -1)).hasSize(ROWS + 1); // the last line ends with a newline
    assertThat(md5(text)).as("checksum of COPY TO through Turnout").isEqualTo(md5(csv));
    assertThat(throughTurnout).as("COPY TO through Turnout vs direct").isEqualTo(direct);
  }

  @Test
  void copyFromStdin_withBadRow_failsAndLeavesSessionUsable() throws Exception {
    String table = createTable("copy_bad");
    try (Connection c = turnout.connectThroughTurnout()) {
      String data = "1,fine,1.00\n2,also fine,2.00\nthree,broken,3.00\n";
      assertThatThrownBy(
              () ->
                  copyApi(c)
                      .copyIn("copy " + table + " from stdin (format csv)", new StringReader(data)))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("22P02");
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select count(*) from " + table)) {
        rs.next();
        assertThat(rs.getLong(1)).as("a failed COPY stores nothing").isZero();
      }
      assertThat(
              copyApi(c)
                  .copyIn(
                      "copy " + table + " from stdin (format csv)",
                      new StringReader("4,retry,4.00\n")))
          .isEqualTo(1);
    }
  }

  private static String createTable(String prefix) throws SQLException {
    String table = prefix + "_" + System.nanoTime();
    try (Connection direct = turnout.connectDirect();
        Statement st = direct.createStatement()) {
      st.execute(
          "create table "
              + table
              + " (id int primary key, name text not null, amount numeric(12,2) not null)");
    }
    return table;
  }

  private static CopyManager copyApi(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getCopyAPI();
  }

  private static byte[] copyOut(Connection c, String sql) throws SQLException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long rows = copyApi(c).copyOut(sql, out);
    assertThat(rows).isEqualTo(ROWS);
    return out.toByteArray();
  }

  private static String md5(String s) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
