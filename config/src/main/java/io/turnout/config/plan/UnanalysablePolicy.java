package io.turnout.config.plan;

/**
 * What to do with a statement that touches a managed table but cannot be analysed. The default is
 * safe: reads use the old path (and are counted), writes are rejected with SQLSTATE 0A000, because
 * a write that silently skips dual-write loses data.
 */
public record UnanalysablePolicy(ReadAction reads, WriteAction writes) {
  public static final UnanalysablePolicy DEFAULT =
      new UnanalysablePolicy(ReadAction.OLD_PATH, WriteAction.REJECT);

  public enum ReadAction {
    OLD_PATH,
    REJECT
  }

  public enum WriteAction {
    REJECT,
    /** Forward unchanged, without dual-write. Only for operators who accept the drift. */
    PASS
  }
}
