package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.util.Map;

/** GET /health: open to anyone, touches nothing, so a load balancer or uptime check can poll it. */
public final class HealthHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final ApiRouter router;

    public HealthHandler() {
        this(Config.fromEnvironment().asMap());
    }

    public HealthHandler(Map<String, String> environment) {
        String version = Config.of(environment).get(EnvNames.SLIPWAY_VERSION).orElse("dev");
        this.router = ApiRouter.open()
                .route("GET /health", r -> ApiResponse.json(200,
                        Json.object().put("status", "ok").put("service", "slipway").put("version", version)))
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }
}
