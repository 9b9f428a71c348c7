package io.turnout.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code turnout serve} in a JVM of its own ({@code java -jar turnout.jar serve --config
 * PLAN}), as an operator runs it, for tests and benchmarks of several instances. Its stdout and
 * stderr go to {@code NAME.out} and {@code NAME.err} in a log directory, and stay there for
 * diagnosis. The addresses it listens on are read from its stdout, so plans can ask for port 0.
 */
public final class TurnoutProcess implements AutoCloseable {
  private static final Pattern PROXY =
      Pattern.compile("^Turnout listening on \\S*:(\\d+) -> ", Pattern.MULTILINE);
  private static final Pattern ADMIN =
      Pattern.compile("^Admin API on (http://\\S+)$", Pattern.MULTILINE);

  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private volatile int proxyPort = -1;
  private volatile URI admin;

  /** An admin API answer. */
  public record Response(int status, String body) {
    /**
     * The first integer field of that name in the JSON body, at any depth, e.g. {@code
     * applied_version}: a pattern, not a parser, so the testkit needs no JSON library.
     */
    public OptionalLong longField(String field) {
      Matcher m =
          Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(-?\\d+)").matcher(body);
      return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
  }

  private TurnoutProcess(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * Starts {@code java [jvmOptions] -jar jar serve --config plan}; returns at once (see {@link
   * #awaitListening}).
   */
  public static TurnoutProcess start(
      Path jar, Path plan, Path logDir, String name, List<String> jvmOptions) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath() + " does not exist: build it first (mvn package -pl proxy -am)");
    }
    Files.createDirectories(logDir);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-jar", jar.toString(), "serve", "--config", plan.toAbsolutePath().toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    // A test JVM that ends without closing it (a crash, Ctrl-C) must not leave it running.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(p::destroyForcibly, "turnout-process-stop-" + name));
    return new TurnoutProcess(name, p, out, err);
  }

  /**
   * Waits until the proxy listens and, when {@code withAdmin}, the admin API too (the lines {@code
   * turnout serve} prints once each is bound).
   *
   * @throws IllegalStateException when the process exits or the time is up, with its stderr
   */
  public TurnoutProcess awaitListening(boolean withAdmin, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Matcher p = PROXY.matcher(text);
      Matcher a = ADMIN.matcher(text);
      if (p.find() && (!withAdmin || a.find())) {
        proxyPort = Integer.parseInt(p.group(1));
        admin = withAdmin ? URI.create(a.group(1)) : null;
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + " before listening:\n" + stderrTail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not listening after " + timeout.toMillis() + " ms:\n" + stderrTail());
      }
      Thread.sleep(50);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int proxyPort() {
    if (proxyPort < 0) {
      throw new IllegalStateException(name + ": not listening yet (awaitListening)");
    }
    return proxyPort;
  }

  /** The admin API's base URL, e.g. {@code http://127.0.0.1:40123}. */
  public URI adminUri() {
    if (admin == null) {
      throw new IllegalStateException(name + ": no admin API seen (awaitListening(true, ...))");
    }
    return admin;
  }

  public Path stderrFile() {
    return err;
  }

  /** The last lines of its stderr (where its logs go), for failure messages. */
  public String stderrTail() {
    return name + " stderr (" + err + "):\n" + Exec.tail(err);
  }

  /** GET on the admin API, with the bearer token when it is not null. */
  public Response get(String path, String token) throws IOException, InterruptedException {
    return send(request(path, token).GET());
  }

  /** The same GET, answered asynchronously (long polls, several instances at once). */
  public CompletableFuture<Response> getAsync(String path, String token) {
    return http.sendAsync(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Response(r.statusCode(), r.body()));
  }

  /** POST of a JSON body on the admin API. */
  public Response post(String path, String token, String json)
      throws IOException, InterruptedException {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(adminUri().resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  /**
   * SIGTERM (turnout's graceful shutdown), then SIGKILL if it is still running after 15 s.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "turnout serve '" + name + "' (pid " + process.pid() + ")";
  }
}
