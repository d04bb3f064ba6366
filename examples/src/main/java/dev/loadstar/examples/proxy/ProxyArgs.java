package dev.loadstar.examples.proxy;

import java.nio.file.Path;

/**
 * The command line of {@link ReverseProxy#main}: {@code --name value} or {@code --name=value}.
 * Immutable.
 *
 * @param help whether {@code --help} was given; the other fields are then meaningless
 */
record ProxyArgs(Path config, String service, String bind, int port, boolean help) {
  static final int DEFAULT_PORT = 8080;
  /** Every interface, as a proxy in a container or on a host usually wants. */
  static final String DEFAULT_BIND = "0.0.0.0";

  static final String USAGE = String.join(System.lineSeparator(),
      "usage: ReverseProxy --config <services.json> --service <name> [--port <port>]"
          + " [--bind <address>]",
      "",
      "  --config   the JSON services file (format: dev.loadstar.discovery.JsonFileDiscovery);",
      "             edits are picked up within about a second",
      "  --service  the service of that file that every request is forwarded to",
      "  --port     the port to listen on, 0 for any free one (default " + DEFAULT_PORT + ")",
      "  --bind     the address to listen on (default " + DEFAULT_BIND + ")",
      "",
      "example: ReverseProxy --config services.json --service orders --port 8080");

  private static final ProxyArgs HELP = new ProxyArgs(Path.of(""), "", DEFAULT_BIND, 0, true);

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the option that is missing, unknown or wrong
   */
  static ProxyArgs parse(String... args) {
    String config = null;
    String service = null;
    String bind = DEFAULT_BIND;
    int port = DEFAULT_PORT;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return HELP;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: '" + arg + "'");
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq >= 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg;
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new IllegalArgumentException(name + ": missing value");
        }
        value = args[++i];
      }
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + ": '" + value + "' (expected: a value)");
      }
      switch (name) {
        case "--config" -> config = value;
        case "--service" -> service = value;
        case "--bind" -> bind = value;
        case "--port" -> port = port(value);
        default -> throw new IllegalArgumentException("unknown option: '" + name + "'");
      }
    }
    if (config == null) {
      throw new IllegalArgumentException("--config: missing (expected: the services file)");
    }
    if (service == null) {
      throw new IllegalArgumentException("--service: missing (expected: a service of the file)");
    }
    return new ProxyArgs(Path.of(config), service, bind, port, false);
  }

  private static int port(String value) {
    int port;
    try {
      port = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port: '" + value + "' (expected: 0-65535)");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--port: " + port + " (expected: 0-65535)");
    }
    return port;
  }
}
