package io.turnout.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the proxy, all with production defaults ({@link #DEFAULTS}).
 *
 * @param maxClientConnections client connections accepted at once; more are refused with SQLSTATE
 *     53300 (too_many_connections)
 * @param maxMessageSize largest protocol message, in bytes, accepted from a client or a backend
 * @param connectTimeout time allowed to open a backend connection
 * @param idleTimeout a client connection idle this long is closed; {@link Duration#ZERO} disables
 * @param shutdownGrace on shutdown, time sessions get to finish before they are closed
 * @param workerThreads event-loop threads relaying traffic; 0 means one per CPU core
 */
public record ProxyLimits(
    int maxClientConnections,
    int maxMessageSize,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration shutdownGrace,
    int workerThreads) {
  /** Largest accepted {@code worker_threads}: more threads than this only add wake-ups. */
  public static final int MAX_WORKER_THREADS = 1024;

  /** 1 GB: PostgreSQL itself refuses larger messages. */
  public static final int MAX_MESSAGE_SIZE_LIMIT = 1 << 30;

  /** Smallest accepted {@code max_message_size}: below 8 kB ordinary queries would not fit. */
  public static final int MIN_MESSAGE_SIZE = 8 << 10;

  public static final ProxyLimits DEFAULTS =
      new ProxyLimits(
          1000, 64 << 20, Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(30), 0);

  public ProxyLimits {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (maxClientConnections < 1) {
      throw new IllegalArgumentException(
          "maxClientConnections must be at least 1, was " + maxClientConnections);
    }
    if (maxMessageSize < MIN_MESSAGE_SIZE || maxMessageSize > MAX_MESSAGE_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "maxMessageSize must be 8kB..1GB, was " + maxMessageSize + " bytes");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must not be negative, was " + idleTimeout);
    }
    if (workerThreads < 0 || workerThreads > MAX_WORKER_THREADS) {
      throw new IllegalArgumentException(
          "workerThreads must be 0 (one per core)..1024, was " + workerThreads);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownGrace must not be negative, was " + shutdownGrace);
    }
  }

  /** True when idle client connections are closed after {@link #idleTimeout()}. */
  public boolean idleTimeoutEnabled() {
    return !idleTimeout.isZero();
  }

  /** The number of event-loop threads to run: {@code workerThreads}, or one per CPU core. */
  public int effectiveWorkerThreads() {
    return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
  }
}
