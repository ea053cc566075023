package dev.slipway.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.local.gateway.LocalFunctions;
import dev.slipway.local.template.SamTemplate.FunctionSpec;
import dev.slipway.shared.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) on 127.0.0.1, answered
 * by {@link LocalTask}s in this JVM. The local Step Functions server sends its Task states here; an AWS
 * SDK {@code LambdaClient} pointed at it with {@code AWS_ENDPOINT_URL_LAMBDA} works too.
 *
 * <p>A task that throws is reported as Lambda reports an unhandled Java exception: HTTP 200,
 * {@code X-Amz-Function-Error: Unhandled}, body {@code {"errorType": "<class name>", "errorMessage": ...,
 * "stackTrace": []}}. Each invocation runs on its own pooled thread, so a long task blocks no other.
 */
public final class LambdaInvokeEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LambdaInvokeEndpoint.class);
    private static final Pattern PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations/?$");

    private final Map<String, LocalTask> tasks = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService pool;

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the
        // body then waits for the client's delayed ACK of the headers: +40 ms on every Task state.
        // Read once, when the first HttpServer starts in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private LambdaInvokeEndpoint(Map<String, LocalTask> tasks) throws IOException {
        this.tasks.putAll(tasks);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-invoke-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    /** Starts on a free loopback port; more tasks can be {@link #register registered} later. */
    public static LambdaInvokeEndpoint start(Map<String, LocalTask> tasks) throws IOException {
        return new LambdaInvokeEndpoint(tasks);
    }

    /**
     * The template's functions a Task state can invoke: those whose handler method takes a Map (a
     * {@code RequestHandler<Map<String,Object>,Map<String,Object>>}), by logical id. API handlers,
     * which take API Gateway events, are left out.
     */
    public static Map<String, LocalTask> templateTasks(LocalFunctions functions) {
        Map<String, LocalTask> out = new LinkedHashMap<>();
        for (FunctionSpec spec : functions.specs().values()) {
            try {
                Method m = LocalFunctions.findHandlerMethod(Class.forName(spec.handlerClass()), spec.handlerMethod());
                if (Map.class.isAssignableFrom(m.getParameterTypes()[0])) {
                    out.put(spec.logicalId(), LocalTask.of(functions, spec.logicalId()));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load " + spec.handler() + " of " + spec.logicalId() + ": " + e, e);
            }
        }
        return out;
    }

    /** The task registered under {@code name} (a test wraps it to inject faults, then registers the wrapper). */
    public LocalTask task(String name) {
        LocalTask t = tasks.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no task " + name + " (have " + tasks.keySet() + ")");
        }
        return t;
    }

    public void register(String name, LocalTask task) {
        tasks.put(name, task);
    }

    /** For {@code AWS_ENDPOINT_URL_LAMBDA} and the Step Functions server's {@code lambdaEndpoint}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * A function name from what Invoke accepts: {@code name}, {@code name:qualifier},
     * {@code account:function:name} or the full ARN {@code arn:aws:lambda:region:account:function:name[:qualifier]}.
     */
    static String functionName(String nameOrArn) {
        String[] p = nameOrArn.split(":");
        if (p.length >= 7 && p[0].equals("arn") && p[5].equals("function")) {
            return p[6];
        }
        if (p.length >= 3 && p[1].equals("function")) {
            return p[2];
        }
        return p[0];
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Matcher m = PATH.matcher(ex.getRequestURI().getRawPath());
            if (!m.matches() || !ex.getRequestMethod().equals("POST")) {
                error(ex, 404, "UnknownOperationException", ex.getRequestMethod() + " " + ex.getRequestURI().getPath()
                        + " is not a Lambda Invoke request");
                return;
            }
            String requested = URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            String name = functionName(requested);
            LocalTask task = tasks.get(name);
            if (task == null) {
                error(ex, 404, "ResourceNotFoundException", "Function not found: " + requested
                        + " (local functions: " + String.join(", ", new TreeSet<>(tasks.keySet())) + ")");
                return;
            }
            JsonNode input;
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                input = body.length == 0 ? NullNode.instance : Json.MAPPER.readTree(body);
            } catch (IOException e) {
                error(ex, 400, "InvalidRequestContentException", "Could not parse request body into json: " + e.getMessage());
                return;
            }
            String type = ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            if ("DryRun".equals(type)) {
                respond(ex, 204, null, null);
                return;
            }
            if ("Event".equals(type)) {
                pool.execute(() -> run(name, task, input));
                respond(ex, 202, null, null);
                return;
            }
            Outcome outcome = run(name, task, input);
            respond(ex, 200, outcome.functionError, Json.MAPPER.writeValueAsBytes(outcome.payload));
        }
    }

    private record Outcome(JsonNode payload, String functionError) {
    }

    private static Outcome run(String name, LocalTask task, JsonNode input) {
        try {
            JsonNode result = task.invoke(input);
            return new Outcome(result == null ? NullNode.instance : result, null);
        } catch (Exception | Error e) {
            LOG.info("{} failed: {}", name, e.toString(), e);
            // As Lambda's Java runtime reports it (UserFault.makeUserFault): the class's binary name.
            String type = e instanceof LocalTask.Failure f ? f.errorType() : e.getClass().getName();
            ObjectNode err = Json.object();
            err.put("errorMessage", e.getLocalizedMessage() == null ? e.getClass().getName() : e.getLocalizedMessage());
            err.put("errorType", type);
            err.putArray("stackTrace");
            return new Outcome(err, "Unhandled");
        }
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode body = Json.object();
        body.put("Type", "User");
        body.put("message", message);
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        respond(ex, status, null, Json.MAPPER.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange ex, int status, String functionError, byte[] body) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("X-Amz-Executed-Version", "$LATEST");
        h.set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (functionError != null) {
            h.set("X-Amz-Function-Error", functionError);
        }
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
