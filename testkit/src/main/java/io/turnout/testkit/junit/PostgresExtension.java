package io.turnout.testkit.junit;

import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link PostgresServer} parameters of tests and lifecycle methods: the JVM's shared
 * server, or with {@link Postgres @Postgres(name = ...)} a separate server per name. When no
 * provider can start PostgreSQL the test fails (never skips) with each provider's reason.
 */
public final class PostgresExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    Optional<Postgres> annotation = parameterContext.findAnnotation(Postgres.class);
    PostgresOptions options =
        annotation.map(PostgresExtension::options).orElse(PostgresOptions.DEFAULT);
    try {
      return PostgresProvider.named(options);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "Cannot provide PostgreSQL server '"
              + options.name()
              + "' for parameter "
              + parameterContext.getParameter()
              + " of "
              + parameterContext.getDeclaringExecutable()
              + ":\n"
              + e.getMessage(),
          e);
    }
  }

  static PostgresOptions options(Postgres p) {
    if (PostgresOptions.DEFAULT.name().equals(p.name())
        && !p.logical()
        && p.settings().length == 0) {
      return PostgresOptions.DEFAULT;
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String kv : p.settings()) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new ParameterResolutionException(
            "@Postgres(name = \"" + p.name() + "\") setting '" + kv + "' is not key=value");
      }
      settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    return new PostgresOptions(p.name(), p.logical(), settings);
  }
}
