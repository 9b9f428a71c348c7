package io.turnout.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.proxy.protocol.BackendKeyData;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CancelRegistryTest {
  private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 5432);

  @Test
  void clientKey_keepsTheBackendsProcessId_withASecretOfItsOwn_ofTheSameLength() {
    CancelRegistry registry = new CancelRegistry();
    BackendKeyData backend30 = new BackendKeyData(4711, 12345);
    BackendKeyData backend32 = new BackendKeyData(4712, new byte[32]);

    BackendKeyData client30 = registry.register(BACKEND, backend30);
    BackendKeyData client32 = registry.register(BACKEND, backend32);

    assertThat(client30.processId()).isEqualTo(4711);
    assertThat(client30.secret()).hasSize(4).isNotEqualTo(backend30.secret());
    assertThat(client32.processId()).isEqualTo(4712);
    assertThat(client32.secret()).hasSize(32).isNotEqualTo(backend32.secret());
  }

  @Test
  void twoSessionsOnBackendsWithTheSamePid_getDistinctKeys() {
    CancelRegistry registry = new CancelRegistry();
    BackendKeyData a = registry.register(BACKEND, new BackendKeyData(100, 1));
    BackendKeyData b =
        registry.register(new InetSocketAddress("127.0.0.1", 5433), new BackendKeyData(100, 1));
    assertThat(a).isNotEqualTo(b);
  }
}
