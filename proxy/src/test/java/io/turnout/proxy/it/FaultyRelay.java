package io.turnout.proxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between Turnout and PostgreSQL that can fail on demand: it copies bytes both ways
 * untouched, and {@link #cut} resets a chosen connection (or {@link #cutAll} every one) on both
 * sides at once, as a crashed backend host or a dropped network path would. Plain blocking sockets,
 * two daemon threads per connection: tests open a handful of connections.
 */
final class FaultyRelay implements AutoCloseable {
  private static final AtomicInteger RELAYS = new AtomicInteger();

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final String name = "faulty-relay-" + RELAYS.incrementAndGet();
  private volatile boolean closed;

  private FaultyRelay(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
  }

  /** Listens on a free loopback port and relays every connection to {@code target}. */
  static FaultyRelay start(InetSocketAddress target) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultyRelay relay = new FaultyRelay(target, listener);
    Thread acceptor = new Thread(relay::acceptLoop, relay.name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return relay;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  /**
   * Resets the connection whose PostgreSQL side comes from local port {@code port}: the port
   * PostgreSQL reports as {@code inet_client_port()} for that session. Fails if there is none.
   */
  void cutWhereBackendSeesClientPort(int port) {
    List<Link> matching = links.stream().filter(l -> l.upstream.getLocalPort() == port).toList();
    if (matching.size() != 1) {
      throw new IllegalStateException(
          "expected one relayed connection with backend-side client port "
              + port
              + ", found "
              + matching.size()
              + " among "
              + links.size());
    }
    matching.get(0).cut();
  }

  /**
   * Stops listening, as a backend host that went down would: new connections are refused, open ones
   * carry on. There is no way back for this relay.
   */
  void stopAccepting() {
    closed = true;
    closeQuietly(listener);
  }

  /** Resets every open connection; returns how many there were. */
  int cutAll() {
    List<Link> all = List.copyOf(links);
    all.forEach(Link::cut);
    return all.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket downstream;
      try {
        downstream = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        Socket upstream = new Socket();
        upstream.setTcpNoDelay(true);
        upstream.connect(target, 5_000);
        downstream.setTcpNoDelay(true);
        Link link = new Link(downstream, upstream, accepted.incrementAndGet());
        links.add(link);
        link.start();
      } catch (IOException e) {
        closeQuietly(downstream);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    cutAll();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do: we are tearing down
    }
  }

  /** One relayed connection: proxy side ("downstream") and PostgreSQL side ("upstream"). */
  private final class Link {
    final Socket downstream;
    final Socket upstream;
    final int id;
    private final AtomicInteger pumpsRunning = new AtomicInteger(2);

    Link(Socket downstream, Socket upstream, int id) {
      this.downstream = downstream;
      this.upstream = upstream;
      this.id = id;
    }

    void start() {
      pump(downstream, upstream, "to-pg");
      pump(upstream, downstream, "to-proxy");
    }

    private void pump(Socket from, Socket to, String direction) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[64 * 1024];
                try {
                  // Not try-with-resources: closing a socket's stream closes the socket, and the
                  // other
                  // direction may still be flowing.
                  InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream();
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                  // Orderly close on one side is passed on as an orderly half-close on the other.
                  to.shutdownOutput();
                } catch (IOException e) {
                  // reset, cut or closed: the other pump notices on its own
                } finally {
                  if (pumpsRunning.decrementAndGet() == 0) {
                    closeQuietly(downstream);
                    closeQuietly(upstream);
                    links.remove(this);
                  }
                }
              },
              name + "-" + id + "-" + direction);
      t.setDaemon(true);
      t.start();
    }

    /** An abrupt reset on both sides: SO_LINGER 0 makes close() send RST instead of FIN. */
    void cut() {
      links.remove(this);
      for (Socket s : List.of(downstream, upstream)) {
        try {
          s.setSoLinger(true, 0);
        } catch (IOException e) {
          // already closed
        }
        closeQuietly(s);
      }
    }
  }
}
