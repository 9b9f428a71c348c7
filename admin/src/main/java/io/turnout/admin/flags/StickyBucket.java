package io.turnout.admin.flags;

/**
 * The bucket (1..100) a sticky key falls in for one migration, computed exactly as Unleash computes
 * it for a gradual rollout ({@code flexibleRollout}): MurmurHash3 x86 32-bit, seed 0, of the UTF-8
 * bytes of {@code groupId + ":" + key}, taken as unsigned, {@code % 100 + 1}. The group id is the
 * migration id. Sharing Unleash's bucket means an operator who moves a rollout from the built-in
 * provider into Unleash (toggle with {@code groupId} = migration id) keeps the same users on the
 * new path.
 *
 * <p>Unleash's Java client 11 evaluates strategies in its Yggdrasil engine (Rust, as WebAssembly),
 * which no longer exposes this function; {@code StickyBucketTest} checks our result against that
 * engine for every key it tries.
 *
 * <p>The hash runs on the request path, so it encodes UTF-8 on the fly from the two strings instead
 * of concatenating and calling {@code getBytes}: no string, no byte array, for any input. The one
 * small hasher object never escapes {@link #of}, so the JIT's escape analysis scalar-replaces it.
 * Unpaired surrogates are encoded as {@code '?'}, as {@link String#getBytes} does.
 */
public final class StickyBucket {
  /** Number of buckets; a percentage p selects buckets 1..p. */
  public static final int BUCKETS = 100;

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private StickyBucket() {}

  /** The bucket, 1..100, of {@code key} within {@code groupId} (the migration id). */
  public static int of(String groupId, String key) {
    int hash = new Murmur3().add(groupId).add(':').add(key).finish();
    return Integer.remainderUnsigned(hash, BUCKETS) + 1;
  }

  /** MurmurHash3 x86 32-bit, seed 0, of the UTF-8 bytes of {@code text}; for tests. */
  static int murmur3(String text) {
    return new Murmur3().add(text).finish();
  }

  /** Streaming MurmurHash3 x86_32 over UTF-8 bytes, seed 0. */
  private static final class Murmur3 {
    private int h1; // seed 0
    private int block; // bytes of the current 4-byte block, little-endian
    private int filled; // bytes in block, 0..3
    private int length; // total bytes hashed

    Murmur3 add(String s) {
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          add(c);
        } else if (c < 0x800) {
          addByte(0xc0 | (c >> 6));
          addByte(0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          addByte(0xf0 | (cp >> 18));
          addByte(0x80 | ((cp >> 12) & 0x3f));
          addByte(0x80 | ((cp >> 6) & 0x3f));
          addByte(0x80 | (cp & 0x3f));
        } else if (Character.isSurrogate(c)) {
          add('?'); // unpaired surrogate: what String.getBytes(UTF_8) writes
        } else {
          addByte(0xe0 | (c >> 12));
          addByte(0x80 | ((c >> 6) & 0x3f));
          addByte(0x80 | (c & 0x3f));
        }
      }
      return this;
    }

    Murmur3 add(char ascii) {
      addByte(ascii);
      return this;
    }

    private void addByte(int b) {
      block |= (b & 0xff) << (filled << 3);
      length++;
      if (++filled == 4) {
        h1 ^= mixK1(block);
        h1 = Integer.rotateLeft(h1, 13);
        h1 = h1 * 5 + 0xe6546b64;
        block = 0;
        filled = 0;
      }
    }

    int finish() {
      int h = h1;
      if (filled > 0) {
        h ^= mixK1(block);
      }
      h ^= length;
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      h *= 0xc2b2ae35;
      h ^= h >>> 16;
      return h;
    }

    private static int mixK1(int k1) {
      k1 *= C1;
      k1 = Integer.rotateLeft(k1, 15);
      return k1 * C2;
    }
  }
}
