package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContextBuilder;
import io.turnout.testkit.TestCertificate;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

/**
 * TLS between clients and Turnout (SSLRequest answered 'S', then a handshake with the proxy's
 * certificate), and 'N' from a proxy without TLS. What is checked is the client's side of the
 * connection: pg_stat_ssl would only show the proxy-to-PostgreSQL hop.
 */
class ClientTlsIT {
  /** A proxy without TLS. */
  @RegisterExtension static final TurnoutFixture plain = TurnoutFixture.defaults();

  @TempDir static Path dir;
  private static TestCertificate certificate;
  private static TurnoutFixture tls;

  @BeforeAll
  static void startTlsProxy() throws Exception {
    certificate = TestCertificate.generate(dir);
    tls =
        TurnoutFixture.builder()
            .clientTls(
                SslContextBuilder.forServer(
                        certificate.certificatePem().toFile(), certificate.privateKeyPem().toFile())
                    .build())
            .build()
            .start();
  }

  @AfterAll
  static void stopTlsProxy() {
    if (tls != null) {
      tls.close();
    }
  }

  @Test
  void sslRequest_tlsProxyAnswersS_plainProxyAnswersN() throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(tls.address())) {
      raw.sendStartupPacket(RawPgConnection.SSL_REQUEST_CODE, new byte[0]);
      assertThat((char) raw.readByte()).isEqualTo('S');
    }
    try (RawPgConnection raw = RawPgConnection.open(plain.address())) {
      raw.sendStartupPacket(RawPgConnection.SSL_REQUEST_CODE, new byte[0]);
      assertThat((char) raw.readByte()).isEqualTo('N');
    }
  }

  @Test
  void tlsProxy_sslmodeVerifyFull_handshakesWithTheProxysCertificate() throws SQLException {
    // verify-full only succeeds over TLS, with a chain ending in our self-signed certificate and
    // a name matching 127.0.0.1: proof, on the client's side, that the proxy spoke TLS.
    try (Connection c =
        connect(
            tls,
            Map.of(
                "sslmode",
                "verify-full",
                "sslrootcert",
                certificate.certificatePem().toString()))) {
      assertAnswers(c);
    }
  }

  @Test
  void tlsProxy_sslmodeDisable_stillServesPlainClients() throws SQLException {
    try (Connection c = connect(tls, Map.of("sslmode", "disable"))) {
      assertAnswers(c);
    }
  }

  @Test
  void plainProxy_sslmodeRequire_isRefusedByTheClient() {
    assertThatThrownBy(() -> connect(plain, Map.of("sslmode", "require")).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("does not support SSL");
  }

  @Test
  void plainProxy_sslmodePrefer_fallsBackToPlain() throws SQLException {
    try (Connection c = connect(plain, Map.of("sslmode", "prefer"))) {
      assertAnswers(c);
    }
  }

  @Test
  void tlsProxy_psqlWithSslmodeRequire_reportsAnSslConnection() throws Exception {
    Path psql = ClientTools.require(tls.postgres(), "psql");
    ClientTools.Run run =
        ClientTools.run(
            tls.postgres(),
            List.of(
                psql.toString(),
                "-X",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(tls.address().getPort()),
                "-d",
                tls.database(),
                "-c",
                "\\conninfo",
                "-c",
                "select 'psql over tls'"),
            Map.of("PGSSLMODE", "require"),
            dir,
            60);
    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.stdout()).contains("SSL connection (protocol: TLS").contains("psql over tls");
  }

  @Test
  void tlsProxy_largeResultCopyAndCancel_flowOverTls() throws Exception {
    Map<String, String> verifyFull =
        Map.of("sslmode", "verify-full", "sslrootcert", certificate.certificatePem().toString());
    try (Connection c = connect(tls, verifyFull);
        Connection direct = tls.connectDirect()) {
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("select i, md5(i::text) from generate_series(1, 200000) i")) {
        long sum = 0;
        int rows = 0;
        while (rs.next()) {
          sum += rs.getInt(1);
          assertThat(rs.getString(2)).hasSize(32);
          rows++;
        }
        assertThat(rows).isEqualTo(200_000);
        assertThat(sum).isEqualTo(200_000L * 200_001 / 2);
      }
      String table = "tls_copy_" + System.nanoTime();
      try (Statement st = c.createStatement()) {
        st.execute("create table " + table + " (id int, v text)");
      }
      StringBuilder data = new StringBuilder();
      for (int i = 1; i <= 50_000; i++) {
        data.append(i).append('\t').append("value ").append(i).append('\n');
      }
      long copied =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn("copy " + table + " from stdin", new StringReader(data.toString()));
      assertThat(copied).isEqualTo(50_000);

      // pgJDBC opens its cancel connection with the same TLS settings.
      int pid = Backends.pid(c);
      try (Statement st = c.createStatement();
          SleepingQuery sleeping = SleepingQuery.start(st, 30, direct, pid)) {
        sleeping.cancel();
        SQLException error = sleeping.outcome().error();
        assertThat((Throwable) error).as("pg_sleep cancelled over TLS").isNotNull();
        assertThat(error.getSQLState()).isEqualTo("57014");
      }
      assertAnswers(c);
    }
  }

  private static Connection connect(TurnoutFixture fixture, Map<String, String> extra)
      throws SQLException {
    Properties p = fixture.superuser();
    extra.forEach(p::setProperty);
    return DriverManager.getConnection(fixture.turnoutUrl(fixture.database()), p);
  }

  private static void assertAnswers(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select 'over the proxy'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("over the proxy");
    }
  }
}
