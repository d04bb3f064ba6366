package dev.loadstar.consul;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a transport and records every GET and how it ended, with the time it started: counts the
 * attempts a watch makes even when no server sees them (connection refused).
 */
final class RecordingTransport implements ConsulTransport {
  private final ConsulTransport delegate;
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  /** One GET: its query, when it started, and its status or the exception it threw. */
  record Call(long startNanos, List<Map.Entry<String, String>> query, int status,
      @Nullable IOException error) {}

  RecordingTransport(ConsulTransport delegate) {
    this.delegate = delegate;
  }

  @Override
  public ConsulAnswer get(String path, List<Map.Entry<String, String>> query) throws IOException {
    long start = System.nanoTime();
    try {
      ConsulAnswer answer = delegate.get(path, query);
      calls.add(new Call(start, List.copyOf(query), answer.status(), null));
      return answer;
    } catch (IOException e) {
      calls.add(new Call(start, List.copyOf(query), -1, e));
      throw e;
    }
  }

  @Override
  public ConsulAnswer put(String path, String json) throws IOException {
    return delegate.put(path, json);
  }

  @Override
  public void abort(Thread thread) {
    delegate.abort(thread);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** Calls that started at or after {@code fromNanos}. */
  long callsSince(long fromNanos) {
    return calls.stream().filter(c -> c.startNanos() - fromNanos >= 0).count();
  }
}
