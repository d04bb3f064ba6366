package dev.loadstar.examples.proxy;

import dev.loadstar.discovery.InvalidConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;

/**
 * {@link ReverseProxy#main} without the exit: exit code 2 for bad arguments (with the usage), 1
 * if the proxy cannot start, 0 once it runs, with a hook that closes it when the JVM stops.
 */
final class ProxyCommand {
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private ProxyCommand() {}

  /** Starts the proxy {@code args} describe: 0 if it is running, else the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    ProxyArgs parsed;
    try {
      parsed = ProxyArgs.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(ProxyArgs.USAGE);
      return 2;
    }
    if (parsed.help()) {
      out.println(ProxyArgs.USAGE);
      return 0;
    }
    if (!Files.isRegularFile(parsed.config())) {
      err.println("error: --config: no such file: " + parsed.config());
      err.println(ProxyArgs.USAGE);
      return 2;
    }
    if (System.getProperty(NODELAY) == null) {
      // Read once, when the first JDK server starts. Without it each answer written in two parts
      // (headers, then body) waits ~40 ms for the client's delayed ACK (Nagle's algorithm).
      System.setProperty(NODELAY, "true");
    }
    ReverseProxy proxy;
    try {
      proxy = ReverseProxy.builder()
          .configFile(parsed.config())
          .service(parsed.service())
          .address(new InetSocketAddress(parsed.bind(), parsed.port()))
          .start();
    } catch (InvalidConfigException | IOException e) {
      err.println("error: cannot start: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(ProxyArgs.USAGE);
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "loadstar-proxy-shutdown"));
    out.println("proxying " + proxy.uri() + " to service '" + parsed.service() + "' of "
        + parsed.config());
    return 0;
  }
}
