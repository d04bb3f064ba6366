package dev.loadstar.okhttp;

import dev.loadstar.Lease;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A response body that holds its node's lease until the body is done: read to the end, closed,
 * or failed while reading. The lease guards itself, so whichever comes first ends it and the rest
 * do nothing.
 */
final class LeaseBody extends ResponseBody {
  private final ResponseBody delegate;
  private final Lease lease;
  private final BufferedSource source;

  LeaseBody(ResponseBody delegate, Lease lease) {
    this.delegate = delegate;
    this.lease = lease;
    this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
      @Override
      public long read(Buffer sink, long byteCount) throws IOException {
        long read;
        try {
          read = super.read(sink, byteCount);
        } catch (IOException | RuntimeException e) {
          lease.close();
          throw e;
        }
        if (read == -1L) {
          lease.close();
        }
        return read;
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          lease.close();
        }
      }
    });
  }

  @Override
  public @Nullable MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    return source;
  }

  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException ignored) {
      // Closing a response body does not report errors (ResponseBody.close contract).
    } finally {
      lease.close();
    }
  }
}
