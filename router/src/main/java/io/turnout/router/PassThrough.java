package io.turnout.router;

/** Forward the statement exactly as the client sent it (the original frame, byte-identical). */
public enum PassThrough implements Decision {
  INSTANCE;

  @Override
  public String toString() {
    return "PassThrough";
  }
}
