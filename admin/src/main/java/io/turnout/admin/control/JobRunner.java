package io.turnout.admin.control;

import io.micrometer.core.instrument.MeterRegistry;
import io.turnout.admin.control.JobRejectedException.Reason;
import io.turnout.config.plan.Migration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this instance's jobs on a small, bounded pool: a fixed number of workers, a bounded queue
 * (full → {@link Reason#QUEUE_FULL}), at most one job per migration at a time here (another
 * instance is kept out by the job's advisory lock in the database), and a bounded history of
 * finished jobs for the API to show.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** The work of one job, run on a worker thread; returns how it ended. */
  @FunctionalInterface
  public interface Work {
    End run(Job job) throws Exception;
  }

  /** A final status and the one line that explains it. */
  public record End(Job.Status status, String message) {
    public End {
      if (!status.finished()) {
        throw new IllegalArgumentException(status + " is not an end");
      }
    }
  }

  private final ThreadPoolExecutor executor;
  private final int keepFinished;
  private final Clock clock;
  private final Map<String, Job> active = new ConcurrentHashMap<>();

  /** Every job still known, oldest first; guarded by itself. */
  private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();

  public JobRunner(int workers, int queue, int keepFinished, Clock clock) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "turnout-job-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.keepFinished = keepFinished;
    this.clock = clock;
  }

  /**
   * Queues {@code work} as a new job of {@code kind} on {@code migrationId}.
   *
   * @throws JobRejectedException if a job of that migration is queued or running here, or the queue
   *     is full
   */
  public Job submit(String migrationId, JobKind kind, String actor, Work work)
      throws JobRejectedException {
    Job job =
        new Job(
            "job-" + UUID.randomUUID().toString().substring(0, 8),
            migrationId,
            kind,
            actor,
            clock.instant());
    Job running = active.putIfAbsent(migrationId, job);
    if (running != null) {
      throw new JobRejectedException(
          Reason.ALREADY_RUNNING,
          running.kind().wireName()
              + " of "
              + migrationId
              + " is already "
              + running.status().name().toLowerCase(Locale.ROOT)
              + " here as "
              + running.id()
              + "; wait for it (turnout job "
              + running.id()
              + ") or cancel it");
    }
    remember(job);
    try {
      executor.execute(() -> run(job, work));
    } catch (RejectedExecutionException e) {
      active.remove(migrationId, job);
      forget(job);
      throw new JobRejectedException(
          Reason.QUEUE_FULL,
          "every job worker is busy and the queue is full ("
              + executor.getQueue().size()
              + " waiting); try again when a job has finished");
    }
    return job;
  }

  public Optional<Job> job(String id) {
    synchronized (jobs) {
      return Optional.ofNullable(jobs.get(id));
    }
  }

  /** Gauges of the newest backfill and verify of each migration in {@code plan}. */
  public void bindMetrics(MeterRegistry registry, List<? extends Migration> plan) {
    JobMetrics.bind(this, plan, registry);
  }

  /** True while a job of {@code migrationId} is queued or running on this instance. */
  public boolean running(String migrationId) {
    return active.containsKey(migrationId);
  }

  /** Every job still known, newest first. */
  public List<Job> jobs() {
    List<Job> list;
    synchronized (jobs) {
      list = new ArrayList<>(jobs.values());
    }
    Collections.reverse(list);
    return list;
  }

  /** Asks the job to stop at its next safe point. False if no such job is known. */
  public boolean cancel(String id) {
    Optional<Job> job = job(id);
    job.ifPresent(Job::requestCancel);
    return job.isPresent();
  }

  private void run(Job job, Work work) {
    job.started(clock.instant());
    End end;
    try {
      end =
          job.cancelRequested()
              ? new End(Job.Status.CANCELLED, "cancelled before it started")
              : work.run(job);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      end = new End(Job.Status.CANCELLED, "interrupted: Turnout is shutting down");
    } catch (Exception e) {
      end = new End(Job.Status.FAILED, JobFailures.describe(e));
      if (!JobFailures.expected(e)) {
        log.warn("job {} ({} of {}) failed", job.id(), job.kind(), job.migrationId(), e);
      }
    } finally {
      active.remove(job.migrationId(), job);
    }
    job.finished(end.status(), end.message(), clock.instant());
    log.info(
        "job {} ({} of {}) {}: {}",
        job.id(),
        job.kind().wireName(),
        job.migrationId(),
        end.status().name().toLowerCase(Locale.ROOT),
        end.message());
  }

  private void remember(Job job) {
    synchronized (jobs) {
      jobs.put(job.id(), job);
      int finished = 0;
      for (Job j : jobs.values()) {
        if (j.status().finished()) {
          finished++;
        }
      }
      Iterator<Job> it = jobs.values().iterator();
      while (finished > keepFinished && it.hasNext()) {
        if (it.next().status().finished()) {
          it.remove();
          finished--;
        }
      }
    }
  }

  private void forget(Job job) {
    synchronized (jobs) {
      jobs.remove(job.id());
    }
  }

  /** Cancels every job, and waits a little for them to stop at a safe point. */
  @Override
  public void close() {
    active.values().forEach(Job::requestCancel);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
