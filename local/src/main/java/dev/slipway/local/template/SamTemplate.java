package dev.slipway.local.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * template.yaml as the local runtime needs it: functions (handler, code, environment, HTTP
 * routes), tables, buckets and parameter defaults. The template is the single source of truth;
 * nothing here is declared a second time.
 */
public final class SamTemplate {
    public static final String FUNCTION = "AWS::Serverless::Function";
    public static final String TABLE = "AWS::DynamoDB::Table";
    public static final String BUCKET = "AWS::S3::Bucket";
    public static final String STATE_MACHINE = "AWS::Serverless::StateMachine";

    private final Path file;
    private final Map<String, Object> doc;

    private SamTemplate(Path file, Map<String, Object> doc) {
        this.file = file;
        this.doc = doc;
    }

    public static SamTemplate read(Path file) {
        try {
            return new SamTemplate(file.toAbsolutePath().normalize(), CfnYaml.parse(Files.readString(file)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The folder template.yaml sits in: CodeUri and DefinitionUri are relative to it. */
    public Path root() {
        return file.getParent();
    }

    public Map<String, Object> document() {
        return doc;
    }

    public Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        map(doc.get("Resources")).forEach((k, v) -> out.put(k, map(v)));
        return out;
    }

    public Map<String, Map<String, Object>> resourcesOfType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        resources().forEach((id, r) -> {
            if (type.equals(r.get("Type"))) {
                out.put(id, r);
            }
        });
        return out;
    }

    public String typeOf(String logicalId) {
        Map<String, Object> r = resources().get(logicalId);
        return r == null ? null : (String) r.get("Type");
    }

    public Map<String, Object> properties(String logicalId) {
        return map(resources().get(logicalId).get("Properties"));
    }

    /** Parameter defaults; a parameter without one is an error for the local runtime. */
    public Map<String, String> parameterDefaults() {
        Map<String, String> out = new LinkedHashMap<>();
        map(doc.get("Parameters")).forEach((k, v) -> {
            Object d = map(v).get("Default");
            if (d != null) {
                out.put(k, String.valueOf(d));
            }
        });
        return out;
    }

    public List<FunctionSpec> functions() {
        Map<String, Object> globals = map(map(doc.get("Globals")).get("Function"));
        List<FunctionSpec> out = new ArrayList<>();
        resourcesOfType(FUNCTION).forEach((id, r) -> {
            Map<String, Object> p = map(r.get("Properties"));
            Map<String, Object> env = new LinkedHashMap<>(map(map(globals.get("Environment")).get("Variables")));
            env.putAll(map(map(p.get("Environment")).get("Variables")));
            Object timeout = p.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3));
            Object memory = p.getOrDefault("MemorySize", globals.getOrDefault("MemorySize", 128));
            List<Route> routes = new ArrayList<>();
            map(p.get("Events")).forEach((eventId, e) -> {
                Map<String, Object> event = map(e);
                if ("HttpApi".equals(event.get("Type"))) {
                    Map<String, Object> ep = map(event.get("Properties"));
                    routes.add(new Route(String.valueOf(ep.get("Method")).toUpperCase(Locale.ROOT),
                            String.valueOf(ep.get("Path")), id, eventId));
                }
            });
            out.add(new FunctionSpec(id, (String) p.get("Handler"), (String) p.get("CodeUri"), env,
                    Integer.parseInt(String.valueOf(timeout)), Integer.parseInt(String.valueOf(memory)), routes));
        });
        return out;
    }

    public List<Route> routes() {
        return functions().stream().flatMap(f -> f.routes().stream()).toList();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    /** One Lambda function as the template declares it. */
    public record FunctionSpec(String logicalId, String handler, String codeUri, Map<String, Object> environment,
                               int timeoutSeconds, int memoryMb, List<Route> routes) {
        public String handlerClass() {
            return handler.split("::", 2)[0];
        }

        public String handlerMethod() {
            String[] parts = handler.split("::", 2);
            return parts.length == 2 ? parts[1] : "handleRequest";
        }
    }

    /** An HttpApi event: method + path → function. */
    public record Route(String method, String path, String functionId, String eventId) {
        public String routeKey() {
            return method + " " + path;
        }
    }
}
