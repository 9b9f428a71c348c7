package io.turnout.proxy.routing;

/**
 * Who a session is, for {@code turnout usage}: its application_name (from the startup packet, then
 * as PostgreSQL reports it after each {@code SET application_name}, which is how pgJDBC sets it),
 * the user it logged in as, and the client's address (without port).
 */
public record ClientIdentity(String applicationName, String role, String address) {
  public static final ClientIdentity UNKNOWN = new ClientIdentity("", "", "");

  public ClientIdentity withApplicationName(String name) {
    return name.equals(applicationName) ? this : new ClientIdentity(name, role, address);
  }
}
