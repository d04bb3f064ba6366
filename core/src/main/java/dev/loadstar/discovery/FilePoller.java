package dev.loadstar.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Tells whether a file's content changed since the version last {@link #accept accepted}, by
 * last-modified time, size and a SHA-256 of the content.
 *
 * <p>Polling rather than {@link java.nio.file.WatchService}, which is unreliable exactly where
 * configuration files live: before JDK 21 it polls every 10 s on macOS; inotify sees no changes
 * made by other hosts on NFS or SMB mounts; and Kubernetes updates a mounted ConfigMap by swapping
 * a {@code ..data} symlink, so events name that link, not the file. A {@code stat} per poll is
 * cheap and works everywhere.
 *
 * <p>Time and size alone can miss an edit: with a coarse clock (FAT: 2 s, HFS+ and some network
 * file systems: 1 s) a same-size rewrite within one tick keeps both. As Git does with its "racy"
 * index entries, a version whose modification time is within {@link #RACY_WINDOW_MILLIS} of the
 * moment it was read is read again and compared by hash until it is old enough to trust.
 *
 * <p>Not thread-safe; its owner serializes calls.
 */
final class FilePoller {
  /** The coarsest modification-time granularity in common use: FAT's 2 s. */
  static final long RACY_WINDOW_MILLIS = 2_000;

  /** What was seen of the file at one read. */
  record Stamp(FileTime modified, long size, long readAtMillis, byte[] sha256) {}

  /** One read of the file. */
  record Content(Stamp stamp, byte[] bytes) {}

  private final Path path;
  private final LongSupplier wallMillis;
  private @Nullable Stamp accepted;

  FilePoller(Path path, LongSupplier wallMillis) {
    this.path = path;
    this.wallMillis = wallMillis;
  }

  /** Reads the file whether or not it changed. */
  Content read() throws IOException {
    return read(Files.readAttributes(path, BasicFileAttributes.class));
  }

  /**
   * The file's content if it may differ from the accepted version, else null. A file touched but
   * not changed (same hash) becomes the accepted version and gives null.
   */
  @Nullable Content readIfChanged() throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    Stamp last = accepted;
    if (last != null
        && attributes.lastModifiedTime().equals(last.modified())
        && attributes.size() == last.size()
        && !isRacy(last)) {
      return null;
    }
    Content now = read(attributes);
    if (last != null && Arrays.equals(now.stamp().sha256(), last.sha256())) {
      accepted = now.stamp();
      return null;
    }
    return now;
  }

  /** Marks {@code content} as handled: later polls report only changes from it. */
  void accept(Content content) {
    accepted = content.stamp();
  }

  /**
   * Attributes are read before the bytes, so the stamp is never newer than the content: a write
   * in between shows up as a changed stamp on the next poll, which then reads again.
   */
  private Content read(BasicFileAttributes attributes) throws IOException {
    long readAt = wallMillis.getAsLong();
    byte[] bytes = Files.readAllBytes(path);
    Stamp stamp =
        new Stamp(attributes.lastModifiedTime(), attributes.size(), readAt, sha256(bytes));
    return new Content(stamp, bytes);
  }

  private static boolean isRacy(Stamp stamp) {
    return stamp.modified().toMillis() >= stamp.readAtMillis() - RACY_WINDOW_MILLIS;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
