package dev.slipway.local.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EventBridge Scheduler on the laptop: every {@code AWS::Scheduler::Schedule} of template.yaml whose
 * target is a template function runs on its {@code rate(...)} (or one interval for all, for tests),
 * by invoking the function through the local Lambda Invoke endpoint with the schedule's {@code Input},
 * as the scheduler would. The first run is one interval after start; a run still going delays the next.
 */
public final class LocalSchedules implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSchedules.class);
    public static final String TYPE = "AWS::Scheduler::Schedule";
    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");

    /** One schedule: which function, how often, with what input. */
    public record Schedule(String id, String functionId, Duration rate, JsonNode input) {
    }

    private final List<Schedule> schedules;
    private final URI lambdaEndpoint;
    private final ScheduledExecutorService timer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    private LocalSchedules(List<Schedule> schedules, URI lambdaEndpoint) {
        this.schedules = List.copyOf(schedules);
        this.lambdaEndpoint = lambdaEndpoint;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "slipway-schedule-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a timer per schedule. {@code interval}: null = each schedule's own rate; zero or negative =
     * no timer at all (nothing runs until asked, e.g. {@code POST /cleanup}).
     */
    public static LocalSchedules start(SamTemplate template, URI lambdaEndpoint, Duration interval) {
        List<Schedule> all = read(template);
        if (interval != null) {
            all = all.stream().map(s -> new Schedule(s.id(), s.functionId(), interval, s.input())).toList();
        }
        LocalSchedules out = new LocalSchedules(all, lambdaEndpoint);
        if (interval == null || !(interval.isZero() || interval.isNegative())) {
            for (Schedule s : out.schedules) {
                long ms = s.rate().toMillis();
                out.timer.scheduleWithFixedDelay(() -> out.runQuietly(s), ms, ms, TimeUnit.MILLISECONDS);
            }
        }
        return out;
    }

    /** The template's schedules that target one of its functions (others are skipped, with a warning). */
    public static List<Schedule> read(SamTemplate template) {
        List<Schedule> out = new ArrayList<>();
        for (var e : template.resourcesOfType(TYPE).entrySet()) {
            Map<String, Object> p = SamTemplate.map(e.getValue().get("Properties"));
            if ("DISABLED".equals(p.get("State"))) {
                continue;
            }
            Map<String, Object> target = SamTemplate.map(p.get("Target"));
            String function = functionOf(template, target.get("Arn"));
            Duration rate = rate(String.valueOf(p.get("ScheduleExpression")));
            if (function == null || rate == null) {
                LOG.warn("schedule {} is not run locally: target {} / expression {} not supported", e.getKey(), target.get("Arn"),
                        p.get("ScheduleExpression"));
                continue;
            }
            Object input = target.get("Input");
            out.add(new Schedule(e.getKey(), function, rate, input == null ? NullNode.instance : Json.parse(String.valueOf(input))));
        }
        return out;
    }

    /** {@code rate(N minute|minutes|hour|hours|day|days)}; null for what is not a rate (cron, at). */
    public static Duration rate(String expression) {
        Matcher m = RATE.matcher(expression.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The logical id of the function a target ARN names: {@code !Ref F.Alias}, {@code !Ref F}, {@code !GetAtt F.Arn}. */
    static String functionOf(SamTemplate template, Object arn) {
        String id = null;
        if (arn instanceof Map<?, ?> m && m.get("Ref") != null) {
            id = String.valueOf(m.get("Ref"));
            if (id.endsWith(".Alias")) {
                id = id.substring(0, id.length() - ".Alias".length());
            }
        } else if (arn instanceof Map<?, ?> m && m.get("Fn::GetAtt") instanceof List<?> l && l.size() == 2 && "Arn".equals(l.get(1))) {
            id = String.valueOf(l.get(0));
        }
        return id != null && SamTemplate.FUNCTION.equals(template.typeOf(id)) ? id : null;
    }

    public List<Schedule> schedules() {
        return schedules;
    }

    /** How many runs of the schedule have ended (either way): tests wait on it. */
    public int runs(String scheduleId) {
        return runs.computeIfAbsent(scheduleId, k -> new AtomicInteger()).get();
    }

    /** Invokes the schedule's function now, as the scheduler does; returns its answer, throws on a function error. */
    public JsonNode run(String scheduleId) throws Exception {
        Schedule s = schedules.stream().filter(x -> x.id().equals(scheduleId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no schedule " + scheduleId));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(lambdaEndpoint.resolve("/2015-03-31/functions/" + s.functionId() + "/invocations"))
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(s.input()))).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || r.headers().firstValue("X-Amz-Function-Error").isPresent()) {
                throw new IllegalStateException(s.id() + " → " + s.functionId() + " failed: " + r.body());
            }
            return r.body().isEmpty() ? NullNode.instance : Json.parse(r.body());
        } finally {
            runs.computeIfAbsent(s.id(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private void runQuietly(Schedule s) {
        try {
            JsonNode out = run(s.id());
            LOG.info("schedule {} ran {}: {}", s.id(), s.functionId(), out);
        } catch (Exception e) {
            // The next tick tries again (the scheduler's retry policy, roughly).
            LOG.warn("schedule {} failed: {}", s.id(), e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
