package io.turnout.router.analysis;

/**
 * The statement touches a managed table but the router cannot tell with certainty what it reads or
 * writes (it does not parse, or uses a form the rewriter does not handle). Reads then use the old
 * path and are counted; writes are rejected, because a write that skips dual-write loses data.
 */
public final class Unanalysable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Unanalysable(String reason) {
    super(reason, null, false, false);
  }
}
