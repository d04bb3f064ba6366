package dev.loadstar.okhttp;

import dev.loadstar.Lease;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Ends a call's lease when the call is over: its response body read to the end or closed
 * ({@code callEnd}), failed while reading ({@code callFailed}), or the call cancelled
 * ({@code canceled}, at once, without waiting for the caller to close the body). The lease guards
 * itself, so whichever comes first ends it and the rest do nothing.
 *
 * <p>Added to the call with {@link Call#addEventListener}, instead of wrapping the response body:
 * a wrapped body costs a rebuilt {@code Response} (headers copied) and a buffered source per call.
 * OkHttp reports the end of a call only after the whole interceptor chain has returned, so the
 * lease never ends before the caller has the response.
 *
 * <p>Thread-safe: events may come from the caller's thread, OkHttp's dispatcher, or a cancelling
 * thread.
 */
final class LeaseRelease extends EventListener {
  private final Lease lease;

  LeaseRelease(Lease lease) {
    this.lease = lease;
  }

  @Override
  public void callEnd(Call call) {
    lease.close();
  }

  @Override
  public void callFailed(Call call, IOException ioe) {
    lease.close();
  }

  @Override
  public void canceled(Call call) {
    lease.close();
  }
}
