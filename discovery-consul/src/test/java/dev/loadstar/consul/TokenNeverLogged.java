package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test if {@link ConsulStandIn#TOKEN} appears in anything written to the console (every
 * log line of the module, see {@link LogCapture}) while it ran, teardown included.
 */
final class TokenNeverLogged implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(TokenNeverLogged.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("mark", LogCapture.mark());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    int mark = context.getStore(NS).get("mark", Integer.class);
    assertThat(LogCapture.since(mark)).as("console output of " + context.getDisplayName())
        .doesNotContain(ConsulStandIn.TOKEN);
  }
}
