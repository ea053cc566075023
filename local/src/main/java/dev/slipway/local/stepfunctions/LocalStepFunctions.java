package dev.slipway.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.json.Json;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Step Functions on the laptop: a Node.js child process ({@code local/src/main/node/stepfunctions/server.mjs})
 * that speaks the Step Functions API to SDK clients ({@code AWS_ENDPOINT_URL_SFN}) and runs the project's
 * ASL files with aws-local-stepfunctions. Its Task states call back into this JVM through a
 * {@link LambdaInvokeEndpoint}. The server's output (one JSON line per state transition) goes to a log
 * file. {@link #close()} stops it; if this JVM dies without closing, the server sees its stdin close and exits.
 */
public final class LocalStepFunctions implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = Intrinsics.ACCOUNT;
    /** Where the Node files live, relative to the Slipway folder (whose node_modules they import from). */
    public static final String NODE_DIR = "local/src/main/node/stepfunctions";

    /** One state machine: its name, its ASL file and the DefinitionSubstitutions ({@code Key} or {@code ${Key}}). */
    public record Machine(String name, Path aslFile, Map<String, String> substitutions) {
        public String arn() {
            return stateMachineArn(name);
        }
    }

    /**
     * @param home               the Slipway folder (holding node_modules and {@value #NODE_DIR})
     * @param workDir            where the server's config.json and stepfunctions.log are written
     * @param lambdaEndpoint     the {@link LambdaInvokeEndpoint} Task states call
     * @param resourceOverrides  Task resource ARN → local task name, for service integrations
     *                           (e.g. {@code arn:aws:states:::codebuild:startBuild.sync → slipway-local-build})
     * @param retryIntervalScale Retry {@code IntervalSeconds}/{@code MaxDelaySeconds} multiplier (1 = as written)
     * @param waitScale          Wait state {@code Seconds} multiplier (1 = as written)
     */
    public record Options(Path home, Path workDir, URI lambdaEndpoint, List<Machine> machines,
                          Map<String, String> resourceOverrides, double retryIntervalScale, double waitScale) {
    }

    private final Process process;
    private final URI endpoint;
    private final Map<String, String> arns = new LinkedHashMap<>();
    private final Path logFile;
    private final Writer log;

    private LocalStepFunctions(Options o) throws IOException {
        Path home = o.home().toAbsolutePath().normalize();
        Path nodeDir = home.resolve(NODE_DIR);
        Path server = nodeDir.resolve("server.mjs");
        if (!Files.isRegularFile(server)) {
            throw new IllegalStateException("no " + server + ": is " + home + " the Slipway folder? (-Dslipway.home)");
        }
        if (!Files.isDirectory(home.resolve("node_modules/aws-local-stepfunctions"))) {
            throw new IllegalStateException("aws-local-stepfunctions is not installed: run `npm ci` in " + home);
        }
        Path node = findNode();
        Path work = o.workDir().toAbsolutePath().normalize();
        Files.createDirectories(work);
        this.logFile = work.resolve("stepfunctions.log");
        this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        ObjectNode config = Json.object();
        config.put("host", "127.0.0.1");
        config.put("port", 0);
        config.put("lambdaEndpoint", o.lambdaEndpoint().toString());
        config.put("retryIntervalScale", o.retryIntervalScale());
        config.put("waitScale", o.waitScale());
        config.set("resourceOverrides", Json.MAPPER.valueToTree(o.resourceOverrides()));
        var list = config.putArray("stateMachines");
        for (Machine m : o.machines()) {
            ObjectNode n = list.addObject();
            n.put("name", m.name());
            n.put("arn", m.arn());
            n.put("aslFile", m.aslFile().toAbsolutePath().normalize().toString());
            n.set("substitutions", Json.MAPPER.valueToTree(m.substitutions()));
            arns.put(m.name(), m.arn());
        }
        Path configFile = work.resolve("stepfunctions-config.json");
        Files.writeString(configFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config));

        ProcessBuilder pb = new ProcessBuilder(node.toString(), "--import", nodeDir.resolve("polyfill.mjs").toUri().toString(),
                server.toString(), configFile.toString());
        pb.directory(nodeDir.toFile());
        pb.environment().put("NODE_NO_WARNINGS", "1");
        this.process = pb.start(); // stdin stays open: the server exits when it closes
        Deque<String> recent = new ArrayDeque<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        pump(process.getInputStream(), "sfn-stdout", port, recent);
        pump(process.getErrorStream(), "sfn-stderr", null, recent);
        process.onExit().thenRun(() -> port.completeExceptionally(new IllegalStateException(
                "the Step Functions server exited (" + process.exitValue() + ")")));
        try {
            int p = port.get(30, TimeUnit.SECONDS);
            this.endpoint = URI.create("http://127.0.0.1:" + p);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String tail;
            synchronized (recent) {
                tail = String.join("\n", recent);
            }
            throw new IllegalStateException("local Step Functions did not start (" + node + " " + server + "): "
                    + (e instanceof ExecutionException ? e.getCause().getMessage() : e.toString())
                    + (tail.isEmpty() ? "" : "\n" + tail), e);
        }
    }

    public static LocalStepFunctions start(Options options) throws IOException {
        return new LocalStepFunctions(options);
    }

    /** {@code arn:aws:states:us-east-1:000000000000:stateMachine:<name>}, as AWS names a state machine. */
    public static String stateMachineArn(String name) {
        return "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:" + name;
    }

    /**
     * The template's {@code AWS::Serverless::StateMachine}s: DefinitionUri (relative to template.yaml),
     * DefinitionSubstitutions resolved for the laptop, named by {@code Name} or else the logical id.
     */
    public static List<Machine> machines(SamTemplate template, Intrinsics intrinsics) {
        List<Machine> out = new ArrayList<>();
        template.resourcesOfType(SamTemplate.STATE_MACHINE).forEach((id, resource) -> {
            Map<String, Object> props = template.properties(id);
            Object uri = props.get("DefinitionUri");
            if (!(uri instanceof String file)) {
                throw new IllegalStateException(id + ": the local runtime runs state machines from a DefinitionUri file only");
            }
            Map<String, String> subs = new LinkedHashMap<>();
            Object given = props.get("DefinitionSubstitutions");
            if (given != null) {
                SamTemplate.map(given).forEach((k, v) -> subs.put(k, intrinsics.resolve(v)));
            }
            out.add(new Machine(intrinsics.stateMachineName(id), template.root().resolve(file), subs));
        });
        return out;
    }

    /** The Slipway folder: {@code -Dslipway.home}, else the nearest folder above the working one holding {@value #NODE_DIR}. */
    public static Path home() {
        String prop = System.getProperty("slipway.home");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(NODE_DIR).resolve("server.mjs"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the Slipway folder above " + Path.of("").toAbsolutePath()
                + "; set -Dslipway.home");
    }

    /** For {@code AWS_ENDPOINT_URL_SFN}. */
    public URI endpoint() {
        return endpoint;
    }

    /** State machine name → ARN. */
    public Map<String, String> stateMachineArns() {
        return Map.copyOf(arns);
    }

    public String arn(String name) {
        String arn = arns.get(name);
        if (arn == null) {
            throw new IllegalArgumentException("no state machine " + name + " (have " + arns.keySet() + ")");
        }
        return arn;
    }

    public Path logFile() {
        return logFile;
    }

    private static Path findNode() {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            for (String name : new String[]{"node", "node.exe"}) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("Node.js (20 or newer) is needed for local Step Functions, and `node` is not on the PATH");
    }

    /** Copies one output stream of the server to the log; the first {"listening":…} line gives the port. */
    private void pump(InputStream in, String name, CompletableFuture<Integer> port, Deque<String> recent) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (port != null && !port.isDone() && line.startsWith("{\"listening\"")) {
                        JsonNode n = Json.parse(line);
                        port.complete(n.path("listening").path("port").asInt());
                    }
                    synchronized (recent) { // for the error message if the server does not start
                        recent.addLast(line);
                        if (recent.size() > 20) {
                            recent.removeFirst();
                        }
                    }
                    synchronized (log) {
                        log.write(line);
                        log.write('\n');
                        log.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process ended or the log was closed
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the server exits on stdin EOF
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        synchronized (log) {
            try {
                log.close();
            } catch (IOException ignored) {
                // nothing to keep
            }
        }
    }
}
