package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure: a result of a million rows (about 50 MB on the wire) read by a client slower than
 * PostgreSQL produces it. The proxy must stop reading the backend while the client lags, so its
 * buffer memory stays at a few hundred KiB per session instead of growing with the result.
 *
 * <p>Measured: the memory held by Netty's default allocator (in Netty 4.2 the adaptive one, not
 * {@code PooledByteBufAllocator.DEFAULT}; the proxy's channels allocate from it and nothing else in
 * this JVM does), sampled every 2 ms during the stream; asserted on its growth over the pre-stream
 * baseline.
 */
class LargeResultBackPressureIT {
  private static final Logger log = LoggerFactory.getLogger(LargeResultBackPressureIT.class);
  private static final int ROWS = 1_000_000;
  private static final String QUERY =
      "select i, md5(i::text) from generate_series(1, " + ROWS + ") i";

  /** The bound asserted: well below the result size (see the measured values in the log). */
  private static final long BOUND_BYTES = 16L << 20;

  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  @Test
  void millionRows_slowRawClient_proxyMemoryStaysBounded() throws Exception {
    long resultBytes = 0;
    int rows = 0;
    String tag = null;
    try (MemorySampler memory = MemorySampler.start();
        RawPgConnection raw = RawPgConnection.open(turnout.address(), 64 * 1024)) {
      raw.startup(
          turnout.postgres().superuser(),
          turnout.database(),
          turnout.postgres().superuserPassword());
      raw.sendQuery(QUERY);
      // Read nothing for a while: PostgreSQL keeps producing, so only back-pressure keeps the
      // proxy from buffering what the client does not take.
      Thread.sleep(1_500);
      long sincePause = 0;
      while (true) {
        RawPgConnection.Message m = raw.read();
        resultBytes += 5 + m.body().length;
        sincePause += 5 + m.body().length;
        if (m.type() == 'D') {
          rows++;
        } else if (m.type() == 'C') {
          tag = m.tag();
        } else if (m.type() == 'Z') {
          break;
        } else if (m.type() == 'E') {
          throw new AssertionError("query failed: " + m);
        }
        if (sincePause >= 2L << 20) { // a slow consumer: 50 ms pause every 2 MiB
          Thread.sleep(50);
          sincePause = 0;
        }
      }
      memory.stop();
      log.info(
          "[measure] 1M-row result, slow raw client: {} rows, {} MiB on the wire; proxy allocator in use:"
              + " baseline {} KiB, peak {} KiB, growth {} KiB ({} samples)",
          rows,
          resultBytes >> 20,
          memory.baseline() >> 10,
          memory.peak() >> 10,
          memory.growth() >> 10,
          memory.samples());
      assertThat(rows).isEqualTo(ROWS);
      assertThat(tag).isEqualTo("SELECT " + ROWS);
      assertThat(resultBytes)
          .as("result size must dwarf the bound for the bound to mean anything")
          .isGreaterThan(3 * BOUND_BYTES);
      assertThat(memory.peak())
          .as("the allocator must have been used at all (else the metric is wrong)")
          .isPositive();
      assertThat(memory.growth())
          .as("proxy buffer memory growth during the stream, bytes")
          .isLessThan(BOUND_BYTES);
    }
  }

  @Test
  void millionRows_pgJdbcFetchSizeWithPauses_streamsEveryRowWithBoundedMemory() throws Exception {
    long sum = 0;
    int rows = 0;
    try (MemorySampler memory = MemorySampler.start();
        Connection c = turnout.connectThroughTurnout()) {
      c.setAutoCommit(false); // a cursor (portal) needs a transaction
      try (Statement st = c.createStatement()) {
        st.setFetchSize(10_000);
        try (ResultSet rs = st.executeQuery(QUERY)) {
          while (rs.next()) {
            sum += rs.getInt(1);
            if (rs.getString(2).length() != 32) {
              throw new AssertionError(
                  "row " + rs.getInt(1) + " has a damaged md5: " + rs.getString(2));
            }
            if (++rows % 100_000 == 0) {
              Thread.sleep(100);
            }
          }
        }
      }
      c.commit();
      memory.stop();
      log.info(
          "[measure] 1M-row result, pgJDBC fetchSize 10000 with pauses: proxy allocator in use: baseline {} KiB,"
              + " peak {} KiB, growth {} KiB ({} samples)",
          memory.baseline() >> 10,
          memory.peak() >> 10,
          memory.growth() >> 10,
          memory.samples());
      assertThat(rows).isEqualTo(ROWS);
      assertThat(sum).isEqualTo((long) ROWS * (ROWS + 1) / 2);
      assertThat(memory.growth())
          .as("proxy buffer memory growth during the stream, bytes")
          .isLessThan(BOUND_BYTES);
    }
  }

  /** Samples the default allocator's used heap + direct memory on a thread of its own. */
  private static final class MemorySampler implements AutoCloseable {
    private final ByteBufAllocatorMetric metric;
    private final long baseline;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private MemorySampler() {
      ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
      if (!(allocator instanceof ByteBufAllocatorMetricProvider provider)) {
        throw new AssertionError(
            "Netty's default allocator " + allocator.getClass() + " reports no metrics");
      }
      metric = provider.metric();
      baseline = used();
      thread =
          new Thread(
              () -> {
                while (running) {
                  peak.accumulateAndGet(used(), Math::max);
                  samples.incrementAndGet();
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "turnout-it-memory-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    static MemorySampler start() {
      return new MemorySampler();
    }

    private long used() {
      return metric.usedHeapMemory() + metric.usedDirectMemory();
    }

    long baseline() {
      return baseline;
    }

    long peak() {
      return peak.get();
    }

    /**
     * Peak over what the allocator held before the stream: chunks that earlier tests in this JVM
     * left cached in the allocator are not this stream's doing.
     */
    long growth() {
      return Math.max(0, peak.get() - baseline);
    }

    long samples() {
      return samples.get();
    }

    /** Stops sampling; the peak is final afterwards. */
    void stop() {
      running = false;
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
