package io.turnout.config.plan;

/**
 * Shadow comparison: the fraction of reads (0..1) also run on the other path, and the mismatch rate
 * (0..1) above which raising the read percentage is refused.
 */
public record ShadowPolicy(double sample, double maxMismatchRate) {
  public static final ShadowPolicy DEFAULT = new ShadowPolicy(0.0, 0.001);
}
