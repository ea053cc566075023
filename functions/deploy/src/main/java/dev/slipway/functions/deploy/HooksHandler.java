package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.hooks.HookService;
import dev.slipway.shared.hooks.NewHook;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * Deploy hooks: POST/GET /apps/{appId}/hooks, DELETE /apps/{appId}/hooks/{hookId}, and the hook URL
 * POST /hooks/{hookId}/{secret}, which needs no other credential (its Idempotency-Key is the delivery id).
 */
public final class HooksHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final HookService hooks;
    private final SiteUrls urls;
    private final ApiRouter router;

    public HooksHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    public HooksHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private HooksHandler(DeployFunctionServices services) {
        this.hooks = services.hooks();
        this.urls = services.urls();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/hooks", this::create)
                .route("GET /apps/{appId}/hooks", this::list)
                .route("DELETE /apps/{appId}/hooks/{hookId}", this::revoke)
                .route("POST /hooks/{hookId}/{secret}", this::deliver)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        HookService.Created created = hooks.create(appId, NewHook.fromJson(request.jsonObject()), request.actor());
        ObjectNode body = HookService.view(created.hook());
        body.put("path", created.path());
        body.put("url", request.header("host").map(h -> "https://" + h + created.path()).orElse(created.path()));
        return ApiResponse.jsonShownOnce(201, body, Map.of("location", "/apps/" + appId + "/hooks/" + created.hook().id()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        ObjectNode body = Json.object();
        var items = body.putArray("hooks");
        hooks.list(request.pathParameter("appId").orElse("")).forEach(h -> items.add(HookService.view(h)));
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse revoke(ApiRequest request) {
        return ApiResponse.json(200, HookService.view(hooks.revoke(request.pathParameter("appId").orElse(""),
                request.pathParameter("hookId").orElse(""), request.actor())));
    }

    private APIGatewayV2HTTPResponse deliver(ApiRequest request) {
        HookService.Delivery d = hooks.deliver(request.pathParameter("hookId").orElse(""), request.pathParameter("secret").orElse(null),
                request.sourceIp(), request.requestId());
        ObjectNode body = Json.object();
        body.put("hookId", d.hook().id());
        if (d.previewName() != null) {
            body.put("preview", d.previewName());
        }
        body.set("deployment", DeploymentView.of(d.deployment(), urls));
        return ApiResponse.json(202, body, Map.of("location", "/apps/" + d.hook().appId() + "/deployments/" + d.deployment().id()));
    }
}
