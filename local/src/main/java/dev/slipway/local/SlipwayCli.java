package dev.slipway.local;

import dev.slipway.shared.deploy.build.sandbox.Unavailable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code slipway up}: starts the local runtime and keeps it running until Ctrl-C or SIGTERM. */
@Command(name = "slipway", mixinStandardHelpOptions = true, version = "slipway 0.1.0",
        description = "Slipway on one laptop.", subcommands = {SlipwayCli.Up.class})
public final class SlipwayCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new SlipwayCli()).execute(args));
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start DynamoDB Local, the S3 server and the API, from template.yaml; data persists in the data folder.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--data", description = "Data folder (default: $SLIPWAY_DATA or .slipway)")
        Path data;

        @Option(names = "--api-port", defaultValue = "4747", description = "API port; 0 picks a free one (default: ${DEFAULT-VALUE})")
        int apiPort;

        @Option(names = "--edge-port", defaultValue = "4748", description = "Port of the edge serving sites at http://{app}.localhost:PORT/; 0 picks a free one (default: ${DEFAULT-VALUE})")
        int edgePort;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--template", description = "template.yaml to run (default: the one in the Slipway folder)")
        Path template;

        @Option(names = "--schedule-interval", description = "Run the template's schedules (cleanup, audit export) this often: 30s, 5m, 1h; "
                + "'off' for never (POST /cleanup runs the cleanup); default: each schedule's own rate")
        String scheduleInterval;

        @Option(names = "--unsandboxed-builds", description = "Build without the sandbox (bubblewrap): builds can then read"
                + " everything this user can and reach any address. Only for machines without bubblewrap, and code you trust")
        boolean unsandboxedBuilds;

        @Option(names = "--postgres", description = "Start the local Postgres now, to use it as an app's database (default: on first need:"
                + " backups' verify restores); its URL is postgresEndpoint in runtime.json")
        boolean postgresNow;

        @Override
        public Integer call() throws Exception {
            Path home = Path.of(System.getProperty("slipway.home", ".")).toAbsolutePath().normalize();
            Path dataDir = data != null ? data
                    : System.getenv("SLIPWAY_DATA") != null ? Path.of(System.getenv("SLIPWAY_DATA"))
                    : home.resolve(".slipway");
            Path templateFile = template != null ? template : home.resolve("template.yaml");
            try {
                interval(scheduleInterval);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            if (!Files.isRegularFile(templateFile)) {
                System.err.println("No template.yaml at " + templateFile + "; run from the Slipway folder or pass --template");
                return 2;
            }
            LocalRuntime runtime;
            try {
                runtime = LocalRuntime.start(LocalRuntime.Options.builder(dataDir).template(templateFile).host(host)
                        .apiPort(apiPort).edgePort(edgePort).scheduleInterval(interval(scheduleInterval))
                        .unsandboxedBuilds(unsandboxedBuilds).build());
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                return 1;
            } catch (BindException e) {
                System.err.println("Port " + apiPort + " or " + edgePort + " is in use; pass --api-port / --edge-port with others (0 picks a free port)");
                return 1;
            }
            if (postgresNow) {
                runtime.postgres().server();
            }
            long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nStopping Slipway…");
                runtime.close();
                stopped.countDown();
                System.out.println("Stopped. Data kept in " + dataDir.toAbsolutePath().normalize());
            }, "slipway-shutdown"));

            System.out.printf("""
                    Slipway is up (ready in %.1f s)
                      API          %s
                      Console      %s  (sign in with the admin token)
                      Sites        %s  (after a deploy; {releaseId}--{app} for one release)
                      Admin token  %s
                      Data         %s
                      runtime.json %s
                      Builds       %s
                      Postgres     %s  (%s)

                    Try:
                      export SLIPWAY_API=%s SLIPWAY_TOKEN=%s
                      curl -H "Authorization: Bearer $SLIPWAY_TOKEN" -H 'content-type: application/json' \\
                           -d '{"name":"My Shop"}' $SLIPWAY_API/apps
                    or the CLI (docs/cli.md), in your app's folder; next to this runtime it needs no login:
                      %s apps create "My Shop" --link && %<s import && %<s deploy

                    Ctrl-C stops it; the data stays.
                    %n""", readyMs / 1000.0, runtime.apiUrl(), runtime.consoleUrl(), runtime.sitePattern().replace("{host}", "{app}"), runtime.adminToken(),
                    dataDir.toAbsolutePath().normalize(), runtime.runtimeJson(), runtime.buildSandbox().description(),
                    runtime.postgres().endpoint(), runtime.postgres().started() ? "running; loopback only"
                            : "starts on first need; --postgres starts it now",
                    runtime.apiUrl(), runtime.adminToken(), home.resolve("slipway"));
            System.out.flush();
            if (runtime.buildSandbox() instanceof Unavailable unavailable) {
                System.err.println("slipway: deploys will fail until this is fixed: " + unavailable.message());
            }
            stopped.await();
            return 0;
        }
    }

    /** {@code --schedule-interval}: null (the template's rates), {@code off} (zero), or N s|m|h. */
    static Duration interval(String value) {
        if (value == null) {
            return null;
        }
        if (value.equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        Matcher m = Pattern.compile("(\\d{1,6})(s|m|h)").matcher(value.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("--schedule-interval " + value + ": give 30s, 5m, 1h … or off");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
