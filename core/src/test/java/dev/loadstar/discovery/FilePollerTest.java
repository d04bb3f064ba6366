package dev.loadstar.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePollerTest {
  private static final long T = 1_700_000_000_000L;

  @TempDir Path dir;
  private final AtomicLong wallMillis = new AtomicLong();

  private FilePoller pollerAccepting(Path file, String content, long readAt) throws Exception {
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.fromMillis(T));
    FilePoller poller = new FilePoller(file, wallMillis::get);
    wallMillis.set(readAt);
    poller.accept(poller.read());
    return poller;
  }

  private static void rewriteKeepingTime(Path file, String content) throws Exception {
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.fromMillis(T));
  }

  @Test
  void touchedButUnchangedFileIsNoChange() throws Exception {
    Path file = dir.resolve("a.json");
    FilePoller poller = pollerAccepting(file, "{}", T + 60_000);

    Files.setLastModifiedTime(file, FileTime.fromMillis(T + 1_000));

    assertThat(poller.readIfChanged()).isNull();
  }

  @Test
  void changedSizeOrTimeIsReadAndReported() throws Exception {
    Path file = dir.resolve("a.json");
    FilePoller poller = pollerAccepting(file, "{}", T + 60_000);

    Files.writeString(file, "{ }");

    assertThat(poller.readIfChanged()).isNotNull()
        .satisfies(c -> assertThat(new String(c.bytes())).isEqualTo("{ }"));
    assertThat(poller.readIfChanged()).as("not accepted: reported again").isNotNull();
  }

  @Test
  void sameSizeEditWithinOneClockTickIsSeen() throws Exception {
    Path file = dir.resolve("a.json");
    FilePoller poller = pollerAccepting(file, "aaaa", T + 500);

    rewriteKeepingTime(file, "bbbb");
    wallMillis.set(T + 1_000);

    assertThat(poller.readIfChanged()).isNotNull()
        .satisfies(c -> assertThat(new String(c.bytes())).isEqualTo("bbbb"));
  }

  @Test
  void trustsTimeAndSizeOnceReadWellAfterTheLastModification() throws Exception {
    Path file = dir.resolve("a.json");
    FilePoller poller =
        pollerAccepting(file, "aaaa", T + FilePoller.RACY_WINDOW_MILLIS + 1);

    rewriteKeepingTime(file, "bbbb");

    assertThat(poller.readIfChanged())
        .as("a later write always moves the time on any clock granularity; no read needed")
        .isNull();
  }
}
