package io.turnout.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On a {@link io.turnout.testkit.PostgresServer} parameter: a separate server for this name (e.g.
 * blue/green), started once per JVM and shared by every test asking for the same name. Asking for
 * one name with different options is an error. Registers {@link PostgresExtension} by itself; an
 * unannotated parameter needs {@code @ExtendWith(PostgresExtension.class)}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@ExtendWith(PostgresExtension.class)
public @interface Postgres {

  /** Server name, one server per name; {@code "shared"} is the default server. */
  String name();

  /** Whether the server must serve logical replication ({@code wal_level=logical}). */
  boolean logical() default false;

  /** Extra postgresql.conf settings as {@code "key=value"}. */
  String[] settings() default {};
}
