package dev.loadstar.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A client's request body, streamed to the node as it arrives rather than buffered. One-shot: it
 * can be read once, so OkHttp and the load-balancing interceptor resend the request only when
 * nothing of it was sent (a failed connect), never after the body started to go out.
 *
 * <p>The content type is left to the copied {@code Content-Type} header, so it reaches the node
 * exactly as the client wrote it.
 */
final class StreamedRequestBody extends RequestBody {
  private final InputStream in;
  private final long contentLength;

  /**
   * @param in the client's body; closed with the exchange, not here
   * @param contentLength the client's {@code Content-Length}, or -1 if it sent the body chunked
   */
  StreamedRequestBody(InputStream in, long contentLength) {
    this.in = in;
    this.contentLength = contentLength;
  }

  @Override
  public @Nullable MediaType contentType() {
    return null;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public boolean isOneShot() {
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    sink.writeAll(Okio.source(in));
  }
}
