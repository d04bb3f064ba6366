package dev.loadstar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reference values of XXH64 (seed 0) from the xxHash project's own test vectors and CLI. */
class XxHash64Test {

  private static long h(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return XxHash64.hash(b, 0, b.length, 0L);
  }

  @Test
  void matchesReferenceValues() {
    assertThat(h("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(h("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(h("abc")).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(h("Nobody inspects the spammish repetition")).isEqualTo(0xFBCEA83C8A378BF1L);
    assertThat(h("The quick brown fox jumps over the lazy dog")).isEqualTo(0x0B242D361FDA71BCL);
  }

  @Test
  void hashesASliceLikeTheSameBytesAlone() {
    byte[] padded = "xxabcxx".getBytes(StandardCharsets.UTF_8);
    assertThat(XxHash64.hash(padded, 2, 3, 0L)).isEqualTo(h("abc"));
  }
}
