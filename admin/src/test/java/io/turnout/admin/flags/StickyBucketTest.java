package io.turnout.admin.flags;

import static org.assertj.core.api.Assertions.assertThat;

import io.getunleash.engine.Context;
import io.getunleash.engine.UnleashEngine;
import io.getunleash.engine.WasmResponse;
import io.getunleash.engine.YggdrasilInvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StickyBucketTest {
  private static final List<String> KEYS = Fixtures.keys();

  @Test
  void murmur3_knownVectors() {
    assertThat(StickyBucket.murmur3("")).isEqualTo(0);
    assertThat(StickyBucket.murmur3("hello")).isEqualTo(0x248bfa47);
    assertThat(StickyBucket.murmur3("The quick brown fox jumps over the lazy dog"))
        .isEqualTo(0x2e4ff723);
  }

  @Test
  void murmur3_hashesTheUtf8BytesOfAnyString() {
    List<String> texts = new ArrayList<>(KEYS);
    texts.addAll(List.of("\ud800", "a\udc00b", "\ud83d", "end\ud800")); // unpaired surrogates
    for (String text : texts) {
      assertThat(StickyBucket.murmur3(text))
          .as("murmur3 of %s", text)
          .isEqualTo(referenceMurmur3(text.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * The client library no longer has {@code StrategyUtils.getNormalizedNumber}: Unleash 11
   * evaluates in its Yggdrasil engine. So ask that engine. A key is enabled by a flexibleRollout at
   * p% iff its Unleash bucket is <= p; enabled at our bucket b and disabled at b - 1 means
   * Unleash's bucket is exactly b.
   */
  @ParameterizedTest
  @ValueSource(strings = {"split-name", "rename-email", "a", "Größe-迁移"})
  void of_equalsUnleashEnginesBucket_forEveryKey(String groupId)
      throws YggdrasilInvalidInputException {
    UnleashEngine engine = new UnleashEngine();
    StringJoiner features = new StringJoiner(",", "{\"version\":2,\"features\":[", "]}");
    for (int p = 0; p <= 100; p++) {
      features.add(Fixtures.feature("p" + p, p, "userId", groupId));
    }
    engine.takeState(features.toString());

    for (String key : KEYS) {
      int bucket = StickyBucket.of(groupId, key);
      assertThat(bucket).isBetween(1, 100);
      assertThat(enabled(engine, "p" + bucket, key)).as("key %s at %d%%", key, bucket).isTrue();
      assertThat(enabled(engine, "p" + (bucket - 1), key))
          .as("key %s at %d%%", key, bucket - 1)
          .isFalse();
    }
  }

  @Test
  void of_at25Percent_selectsAboutAQuarterOfKeys() {
    long selected = KEYS.stream().filter(k -> StickyBucket.of("split-name", k) <= 25).count();
    assertThat((double) selected / KEYS.size()).isBetween(0.23, 0.27);
  }

  @Test
  void of_sameKeyInOtherMigration_isIndependent() {
    long same =
        KEYS.stream()
            .filter(k -> StickyBucket.of("split-name", k) == StickyBucket.of("rename-email", k))
            .count();
    assertThat((double) same / KEYS.size()).isLessThan(0.05); // ~1% by chance
  }

  private static boolean enabled(UnleashEngine engine, String toggle, String key)
      throws YggdrasilInvalidInputException {
    Context context = new Context();
    context.setUserId(key);
    WasmResponse<Boolean> response = engine.isEnabled(toggle, context);
    return Boolean.TRUE.equals(response.value);
  }

  /**
   * Textbook MurmurHash3 x86_32, seed 0, over a byte array: the reference for the streaming one.
   */
  private static int referenceMurmur3(byte[] data) {
    int h1 = 0;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int k1 =
          (data[4 * i] & 0xff)
              | (data[4 * i + 1] & 0xff) << 8
              | (data[4 * i + 2] & 0xff) << 16
              | (data[4 * i + 3] & 0xff) << 24;
      k1 *= 0xcc9e2d51;
      k1 = Integer.rotateLeft(k1, 15);
      k1 *= 0x1b873593;
      h1 ^= k1;
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
    }
    int k1 = 0;
    int tail = blocks * 4;
    for (int i = data.length & 3; i-- > 0; ) {
      k1 |= (data[tail + i] & 0xff) << (8 * i);
    }
    if ((data.length & 3) != 0) {
      k1 *= 0xcc9e2d51;
      k1 = Integer.rotateLeft(k1, 15);
      k1 *= 0x1b873593;
      h1 ^= k1;
    }
    h1 ^= data.length;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }
}
