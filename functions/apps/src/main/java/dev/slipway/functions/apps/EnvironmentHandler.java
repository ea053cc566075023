package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.env.EnvironmentChange;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;

import java.util.Map;

/**
 * GET /apps/{appId}/environment (names and scopes, never values) and PATCH /apps/{appId}/environment
 * ({@code set} / {@code remove}). Its own function: only it may write the apps' SSM parameters.
 */
public final class EnvironmentHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final AppService apps;
    private final EnvironmentService environment;
    private final ApiRouter router;

    public EnvironmentHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    public EnvironmentHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private EnvironmentHandler(AppsFunctionServices services) {
        this.apps = services.apps();
        this.environment = services.environment();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("GET /apps/{appId}/environment", this::list)
                .route("PATCH /apps/{appId}/environment", this::change)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        return ApiResponse.json(200, EnvironmentView.of(environment.list(request.pathParameter("appId").orElse(""))));
    }

    private APIGatewayV2HTTPResponse change(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        AppId.require(appId); // 400 for a bad id before the body is read
        ObjectNode body = request.jsonObject();
        apps.get(appId); // an unknown app is a 404 before the body's fields are judged
        EnvironmentChange change = EnvironmentChange.fromJson(body);
        Actor actor = request.actor();
        return ApiResponse.json(200, EnvironmentView.of(environment.change(appId, change, actor)));
    }
}
