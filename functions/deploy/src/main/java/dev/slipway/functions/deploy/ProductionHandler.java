package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Cursors;

import java.util.Map;
import java.util.Set;

/**
 * Production and its history: GET /apps/{appId}/releases (newest first), POST …/rollback,
 * …/promote, …/pin and …/unpin. The work is {@link ProductionAlias}.
 */
public final class ProductionHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final ProductionAlias production;
    private final SiteUrls urls;
    private final ApiRouter router;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public ProductionHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public ProductionHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private ProductionHandler(DeployFunctionServices services) {
        this.production = services.production();
        this.urls = services.urls();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("GET /apps/{appId}/releases", this::list)
                .route("POST /apps/{appId}/rollback", this::rollback)
                .route("POST /apps/{appId}/promote", this::promote)
                .route("POST /apps/{appId}/pin", r -> pin(r, true))
                .route("POST /apps/{appId}/unpin", r -> pin(r, false))
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), 20, 100);
        ProductionAlias.History history = production.history(request.pathParameter("appId").orElse(""), limit,
                request.queryParameter("cursor").orElse(null));
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("releases");
        history.releases().items().forEach(r -> items.add(ReleaseView.of(r, history.production(), urls)));
        body.put("nextCursor", history.releases().next());
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse rollback(ApiRequest request) {
        JsonObjectReader in = JsonObjectReader.of(body(request), Set.of("releaseId", "reason"));
        String releaseId = in.string("releaseId").orElse(null);
        String reason = in.string("reason").orElse(null);
        in.throwIfInvalid();
        return ApiResponse.json(200, AliasChangeView.of(production.rollback(request.pathParameter("appId").orElse(""), releaseId, reason,
                actor(request))));
    }

    private APIGatewayV2HTTPResponse promote(ApiRequest request) {
        JsonObjectReader in = JsonObjectReader.of(body(request), Set.of("releaseId"));
        String releaseId = in.string("releaseId").orElse(null);
        if (releaseId == null) {
            in.error("releaseId", "is required: the READY release production should serve");
        }
        in.throwIfInvalid();
        return ApiResponse.json(200, AliasChangeView.of(production.promote(request.pathParameter("appId").orElse(""), releaseId, actor(request))));
    }

    private APIGatewayV2HTTPResponse pin(ApiRequest request, boolean pinned) {
        JsonObjectReader.of(body(request), Set.of()).throwIfInvalid();
        return ApiResponse.json(200, AliasChangeView.of(production.pin(request.pathParameter("appId").orElse(""), pinned, actor(request))));
    }

    /** These bodies are optional: none is {}. */
    private static ObjectNode body(ApiRequest request) {
        return request.bodyBytes().length == 0 ? Json.object() : request.jsonObject();
    }

    private static Actor actor(ApiRequest request) {
        return request.actor();
    }
}
