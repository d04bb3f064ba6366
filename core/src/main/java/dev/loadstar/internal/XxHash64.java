package dev.loadstar.internal;

/**
 * xxHash64 (Yann Collet, https://github.com/Cyan4973/xxHash, XXH64 in xxhash.h), written here from
 * the specification. Chosen for placement hashing because it is fast on short keys, passes
 * SMHasher, and its output is fixed by the spec, so every JVM (and every non-Java client that uses
 * XXH64 with seed 0) maps a key to the same value. Writing 60 lines beats a dependency for it.
 *
 * <p>Stateless and thread-safe.
 */
public final class XxHash64 {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  /**
   * XXH64 of the UTF-8 encoding of {@code s}. Allocation-free when {@code s} is ASCII (the usual
   * session ids, user ids and header values); other strings are encoded first.
   */
  public static long hashUtf8(CharSequence s, long seed) {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) >= 0x80) {
        byte[] utf8 = s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return hash(utf8, 0, utf8.length, seed);
      }
    }
    int end = length;
    int p = 0;
    long h;
    if (length >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = end - 32;
      do {
        v1 = round(v1, readLong(s, p));
        v2 = round(v2, readLong(s, p + 8));
        v3 = round(v3, readLong(s, p + 16));
        v4 = round(v4, readLong(s, p + 24));
        p += 32;
      } while (p <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = seed + P5;
    }
    h += length;
    while (p + 8 <= end) {
      h ^= round(0, readLong(s, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= (readInt(s, p) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < end) {
      h ^= (s.charAt(p) & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    return mix(h);
  }

  /** XXH64 of {@code length} bytes of {@code input} starting at {@code offset}. */
  public static long hash(byte[] input, int offset, int length, long seed) {
    int end = offset + length;
    int p = offset;
    long h;
    if (length >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = end - 32;
      do {
        v1 = round(v1, readLong(input, p));
        v2 = round(v2, readLong(input, p + 8));
        v3 = round(v3, readLong(input, p + 16));
        v4 = round(v4, readLong(input, p + 24));
        p += 32;
      } while (p <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = seed + P5;
    }
    h += length;
    while (p + 8 <= end) {
      h ^= round(0, readLong(input, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= (readInt(input, p) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < end) {
      h ^= (input[p] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    return mix(h);
  }

  /** XXH64 of the 8 little-endian bytes of {@code value}: a stable hash for numbers. */
  public static long hash(long value, long seed) {
    long h = seed + P5 + 8;
    h ^= round(0, value);
    h = Long.rotateLeft(h, 27) * P1 + P4;
    return mix(h);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long mergeRound(long acc, long v) {
    acc ^= round(0, v);
    return acc * P1 + P4;
  }

  private static long readLong(byte[] b, int i) {
    return (b[i] & 0xFFL)
        | (b[i + 1] & 0xFFL) << 8
        | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32
        | (b[i + 5] & 0xFFL) << 40
        | (b[i + 6] & 0xFFL) << 48
        | (b[i + 7] & 0xFFL) << 56;
  }

  private static long readLong(CharSequence s, int i) {
    return (s.charAt(i) & 0xFFL)
        | (s.charAt(i + 1) & 0xFFL) << 8
        | (s.charAt(i + 2) & 0xFFL) << 16
        | (s.charAt(i + 3) & 0xFFL) << 24
        | (s.charAt(i + 4) & 0xFFL) << 32
        | (s.charAt(i + 5) & 0xFFL) << 40
        | (s.charAt(i + 6) & 0xFFL) << 48
        | (s.charAt(i + 7) & 0xFFL) << 56;
  }

  private static int readInt(CharSequence s, int i) {
    return (s.charAt(i) & 0xFF) | (s.charAt(i + 1) & 0xFF) << 8 | (s.charAt(i + 2) & 0xFF) << 16
        | (s.charAt(i + 3) & 0xFF) << 24;
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
  }
}
