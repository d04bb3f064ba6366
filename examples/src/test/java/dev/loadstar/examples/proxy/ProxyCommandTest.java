package dev.loadstar.examples.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyCommandTest {
  @TempDir Path dir;
  private String config;

  @BeforeEach
  void writeConfig() throws IOException {
    Path file = dir.resolve("services.json");
    ServicesFile.write(file, "orders", List.of());
    config = file.toString();
  }

  @Test
  void missingOptionIsNamedWithTheUsageAndExitCode2() {
    Run r = run("--config", config);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--service: missing", "usage: ReverseProxy");
  }

  @Test
  void badPortIsNamedWithExitCode2() {
    Run r = run("--config", config, "--service", "orders", "--port", "http");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--port: 'http' (expected: 0-65535)", "usage: ReverseProxy");
    assertThat(run("--config", config, "--service", "orders", "--port", "70000").err())
        .contains("--port: 70000 (expected: 0-65535)");
  }

  @Test
  void missingConfigFileIsNamedWithExitCode2() {
    Run r = run("--config", dir.resolve("missing.json").toString(), "--service", "orders");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--config: no such file", "missing.json");
  }

  @Test
  void unknownOptionAndStrayArgumentAreRejected() {
    assertThat(run("--confg", config).err()).contains("unknown option: '--confg'");
    assertThat(run(config).err()).contains("unexpected argument");
    assertThat(run("--config").err()).contains("--config: missing value");
  }

  @Test
  void serviceNotInTheFileIsABadArgument() {
    Run r = run("--config", config, "--service", "payments", "--port", "0", "--bind", "127.0.0.1");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'payments'", "orders");
  }

  @Test
  void helpPrintsTheUsage() {
    Run r = run("--help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("usage: ReverseProxy", "--config", "--service", "--port", "--bind");
  }

  @Test
  void parsesEveryOptionInBothForms() {
    ProxyArgs args = ProxyArgs.parse(
        "--config", "services.json", "--service=orders", "--port=9090", "--bind", "127.0.0.1");

    assertThat(args).isEqualTo(
        new ProxyArgs(Path.of("services.json"), "orders", "127.0.0.1", 9090, false));
    assertThat(ProxyArgs.parse("--config", "c.json", "--service", "orders"))
        .extracting(ProxyArgs::port, ProxyArgs::bind)
        .containsExactly(8080, "0.0.0.0");
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ProxyCommand.run(args, new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8));
    return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
  }
}
