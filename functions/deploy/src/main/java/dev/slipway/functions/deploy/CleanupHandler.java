package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.cleanup.CleanupService;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The cleanup ({@link CleanupService}): {@code POST /cleanup} (admin) runs it now, and
 * {@link #handleScheduled} is the hourly EventBridge Scheduler target (template.yaml
 * {@code CleanupSchedule}; locally the {@code slipway up} timer). Both stop before the function's
 * timeout; what is left is done by the next run.
 */
public final class CleanupHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** Left of the invocation's time when a run stops: the answer and the last batch must fit in it. */
    static final Duration API_MARGIN = Duration.ofSeconds(8);
    static final Duration SCHEDULE_MARGIN = Duration.ofSeconds(60);

    private final Clock clock;
    private final CleanupService cleanup;
    private final ApiRouter router;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public CleanupHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public CleanupHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private CleanupHandler(DeployFunctionServices services) {
        this.clock = services.clock();
        this.cleanup = services.cleanup();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /cleanup", this::runNow)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    /** The schedule's input is ignored; the answer (and the log line) is the run's counts. */
    public Map<String, Object> handleScheduled(Map<String, Object> input, Context context) {
        CleanupService.Result r = cleanup.run(clock.instant(), budget(context, SCHEDULE_MARGIN, Duration.ofMinutes(14)),
                new Actor(CleanupService.ACTOR, context == null ? null : context.getAwsRequestId(), null));
        @SuppressWarnings("unchecked")
        Map<String, Object> out = Json.MAPPER.convertValue(CleanupView.of(r), Map.class);
        if (r.errors() > 0) {
            // Fails the invocation so it shows in the function's metrics; the scheduler retries it.
            throw new IllegalStateException("cleanup: " + r.errors() + " release(s) failed: " + out);
        }
        return out;
    }

    private APIGatewayV2HTTPResponse runNow(ApiRequest request) {
        if (request.bodyBytes().length > 0) {
            JsonObjectReader.of(request.jsonObject(), Set.of()).throwIfInvalid();
        }
        CleanupService.Result r = cleanup.run(clock.instant(), budget(request.context(), API_MARGIN, Duration.ofSeconds(20)),
                request.actor());
        return ApiResponse.json(200, CleanupView.of(r));
    }

    static Duration budget(Context context, Duration margin, Duration fallback) {
        if (context == null || context.getRemainingTimeInMillis() <= 0) {
            return fallback;
        }
        return Duration.ofMillis(Math.max(1_000, context.getRemainingTimeInMillis() - margin.toMillis()));
    }
}
