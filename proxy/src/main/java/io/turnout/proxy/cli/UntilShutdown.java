package io.turnout.proxy.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Blocks a command until the JVM is asked to stop (SIGTERM, SIGINT), running its cleanup in the
 * shutdown hook so that a graceful drain completes before the JVM exits.
 */
public final class UntilShutdown {
  private UntilShutdown() {}

  /** Runs {@code cleanups} in order when the JVM shuts down; returns after they ran. */
  public static void await(String name, Runnable... cleanups) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    for (Runnable cleanup : cleanups) {
                      cleanup.run();
                    }
                  } finally {
                    done.countDown();
                  }
                },
                name));
    done.await();
  }
}
