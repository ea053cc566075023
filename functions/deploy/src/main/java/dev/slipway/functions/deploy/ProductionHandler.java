package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.alias.ProductionAlias;
import dev.slipway.shared.deploy.store.ReleaseStore;
import dev.slipway.shared.deploy.ReleaseView;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Production and its history: GET /apps/{appId}/releases (newest first), POST …/rollback,
 * …/promote, …/pin and …/unpin. The work is {@link ProductionAlias}.
 */
public final class ProductionHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DeployComponents c;
    private final ProductionAlias production;
    private final ApiRouter router;

    public ProductionHandler() {
        this(Config.fromEnvironment());
    }

    public ProductionHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private ProductionHandler(Config config) {
        this.c = new DeployComponents(config);
        this.production = new ProductionAlias(c.apps, c.stores, c.files, Router.from(config), c.clock);
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, c.aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, c.aws))
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
        String appId = c.apps.get(request.pathParameter("appId").orElse("")).id();
        ReleaseStore.ReleasePage page = c.stores.releases().page(appId, limit, request.queryParameter("cursor").orElse(null));
        Optional<Alias> alias = c.stores.aliases().get(appId, Alias.PRODUCTION);
        ObjectNode body = Json.object();
        var items = body.putArray("releases");
        page.items().forEach(r -> items.add(ReleaseView.of(r, alias, c.urls)));
        body.put("nextCursor", page.next());
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse rollback(ApiRequest request) {
        JsonObjectReader in = JsonObjectReader.of(body(request), Set.of("releaseId", "reason"));
        String releaseId = in.string("releaseId").orElse(null);
        String reason = in.string("reason").orElse(null);
        in.throwIfInvalid();
        return ApiResponse.json(200, production.rollback(request.pathParameter("appId").orElse(""), releaseId, reason,
                actor(request)).view());
    }

    private APIGatewayV2HTTPResponse promote(ApiRequest request) {
        JsonObjectReader in = JsonObjectReader.of(body(request), Set.of("releaseId"));
        String releaseId = in.string("releaseId").orElse(null);
        if (releaseId == null) {
            in.error("releaseId", "is required: the READY release production should serve");
        }
        in.throwIfInvalid();
        return ApiResponse.json(200, production.promote(request.pathParameter("appId").orElse(""), releaseId, actor(request)).view());
    }

    private APIGatewayV2HTTPResponse pin(ApiRequest request, boolean pinned) {
        JsonObjectReader.of(body(request), Set.of()).throwIfInvalid();
        return ApiResponse.json(200, production.pin(request.pathParameter("appId").orElse(""), pinned, actor(request)).view());
    }

    /** These bodies are optional: none is {}. */
    private static ObjectNode body(ApiRequest request) {
        return request.bodyBytes().length == 0 ? Json.object() : request.jsonObject();
    }

    private static Actor actor(ApiRequest request) {
        return new Actor(Actor.ADMIN, request.requestId(), request.sourceIp());
    }
}
