package dev.loadstar.consul;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Tees {@code System.err} and {@code System.out} into memory for the whole test JVM, so tests can
 * read what was logged. slf4j-simple writes to {@code System.err}, looked up on every write
 * ({@code simplelogger.properties}: {@code logFile=System.err}, {@code cacheOutputStream} off),
 * so the tee sees every log line of the module whichever test installs it first.
 *
 * <p>Thread-safe.
 */
final class LogCapture {
  private static final ByteArrayOutputStream CAPTURED = new ByteArrayOutputStream();
  private static boolean installed;

  private LogCapture() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new Tee(System.out), true, StandardCharsets.UTF_8));
  }

  /** A position in the captured output, for {@link #since}. */
  static int mark() {
    install();
    synchronized (CAPTURED) {
      return CAPTURED.size();
    }
  }

  /** Everything written since {@code mark}. */
  static String since(int mark) {
    synchronized (CAPTURED) {
      byte[] all = CAPTURED.toByteArray();
      return new String(all, mark, all.length - mark, StandardCharsets.UTF_8);
    }
  }

  /** Everything written since the capture was installed. */
  static String all() {
    return since(0);
  }

  /** Counts the non-overlapping occurrences of {@code needle} in {@code text}. */
  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  private static final class Tee extends OutputStream {
    private final OutputStream original;

    Tee(OutputStream original) {
      this.original = original;
    }

    @Override
    public void write(int b) {
      synchronized (CAPTURED) {
        CAPTURED.write(b);
      }
      try {
        original.write(b);
      } catch (java.io.IOException ignored) {
        // the console went away; the capture still has it
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (CAPTURED) {
        CAPTURED.write(b, off, len);
      }
      try {
        original.write(b, off, len);
      } catch (java.io.IOException ignored) {
        // as above
      }
    }

    @Override
    public void flush() throws java.io.IOException {
      original.flush();
    }
  }
}
