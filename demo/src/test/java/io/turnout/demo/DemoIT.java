package io.turnout.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.turnout.config.HostPort;
import io.turnout.config.plan.Migration;
import io.turnout.proxy.server.ProxyServer;
import io.turnout.testkit.PostgresServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code turnout demo} end to end, minus the wait for Ctrl-C: its own PostgreSQL (local binaries,
 * else embedded), the sample data, the plan written with the real addresses, and a JDBC client
 * through Turnout.
 */
class DemoIT {

  @Test
  void start_servesTheSampleDataThroughTurnout() throws Exception {
    try (PostgresServer pg = DemoCommand.startPostgres()) {
      DemoCommand.Running demo = DemoCommand.start(HostPort.parse("127.0.0.1:0"), pg);
      try (ProxyServer server = demo.server()) {
        InetSocketAddress at = server.address();
        String url = "jdbc:postgresql://" + at.getHostString() + ":" + at.getPort() + "/demo";
        try (Connection c =
                DriverManager.getConnection(url, pg.superuser(), pg.superuserPassword());
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select count(*) from users")) {
          assertTrue(rs.next());
          assertEquals(1000, rs.getLong(1));
        }

        List<String> migrations =
            demo.config().migrations().stream().map(Migration::id).collect(Collectors.toList());
        assertEquals(List.of("rename-email", "split-name"), migrations);
        String plan = Files.readString(demo.plan());
        assertTrue(plan.contains("listen: 127.0.0.1:0"), plan);
        assertTrue(plan.contains(":" + pg.port() + "/demo"), plan);
      }
    }
  }
}
