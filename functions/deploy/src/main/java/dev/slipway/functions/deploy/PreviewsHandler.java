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
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.Map;

/**
 * Previews: POST/GET /apps/{appId}/previews, GET/PATCH/DELETE …/previews/{name}, POST …/{name}/token,
 * POST …/{name}/promote.
 * The work is {@link Previews}.
 */
public final class PreviewsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Previews previews;
    private final DeployService deploys;
    private final ApiRouter router;

    public PreviewsHandler() {
        this(Config.fromEnvironment());
    }

    public PreviewsHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private PreviewsHandler(Config config) {
        DeployComponents c = new DeployComponents(config);
        SfnClient sfn = c.aws.configure(SfnClient.builder(), "SFN").build();
        this.deploys = new DeployService(c.apps, c.stores, c.files, c.sources, sfn,
                config.require(EnvNames.DEPLOY_STATE_MACHINE_ARN), c.urls, c.clock);
        this.previews = new Previews(c.apps, c.stores, c.files, c.sources, deploys, AppEnvironment.from(c.aws), Router.from(config),
                c.urls, c.clock);
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, c.aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, c.aws))
                .route("POST /apps/{appId}/previews", this::create)
                .route("GET /apps/{appId}/previews", this::list)
                .route("GET /apps/{appId}/previews/{name}", this::get)
                .route("PATCH /apps/{appId}/previews/{name}", this::update)
                .route("DELETE /apps/{appId}/previews/{name}", this::delete)
                .route("POST /apps/{appId}/previews/{name}/token", this::token)
                .route("POST /apps/{appId}/previews/{name}/promote", this::promote)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        Previews.Created created = previews.create(request.pathParameter("appId").orElse(""), request.jsonObject(), actor(request));
        ObjectNode body = answer(created);
        body.set("deployment", deploys.view(created.deployment()));
        return ApiResponse.json(202, body, Map.of("location",
                "/apps/" + created.preview().appId() + "/previews/" + created.preview().name()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), 20, 100);
        String appId = request.pathParameter("appId").orElse("");
        PreviewStore.PreviewPage page = previews.list(appId, limit, request.queryParameter("cursor").orElse(null));
        ObjectNode body = Json.object();
        body.putArray("previews").addAll(previews.views(appId, page.items()));
        if (page.next() != null) {
            body.put("nextCursor", page.next());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, previews.view(previews.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse(""))));
    }

    private APIGatewayV2HTTPResponse update(ApiRequest request) {
        return ApiResponse.json(200, answer(previews.update(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse(""), request.jsonObject(), actor(request))));
    }

    private APIGatewayV2HTTPResponse delete(ApiRequest request) {
        boolean routed = previews.delete(request.pathParameter("appId").orElse(""), request.pathParameter("name").orElse(""), actor(request));
        ObjectNode body = Json.object();
        body.put("deleted", true);
        if (!routed) {
            body.put("warning", "the preview is removed, but the edge could not be updated yet; it follows on the next cleanup");
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse token(ApiRequest request) {
        if (request.bodyBytes().length > 0) {
            dev.slipway.shared.json.JsonObjectReader.of(request.jsonObject(), java.util.Set.of()).throwIfInvalid();
        }
        return ApiResponse.json(200, answer(previews.rotateToken(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse(""), actor(request))));
    }

    private APIGatewayV2HTTPResponse promote(ApiRequest request) {
        ObjectNode in = request.bodyBytes().length == 0 ? Json.object() : request.jsonObject();
        Previews.Promotion p = previews.promote(request.pathParameter("appId").orElse(""), request.pathParameter("name").orElse(""), in, actor(request));
        ObjectNode body = Json.object();
        body.put("releaseId", p.release().id());
        if (p.moved() != null) {
            body.put("rebuilt", false);
            body.set("production", p.moved().view());
            return ApiResponse.json(200, body);
        }
        body.put("rebuilt", true);
        body.set("deployment", deploys.view(p.rebuild()));
        return ApiResponse.json(202, body, Map.of("location", "/apps/" + p.rebuild().appId() + "/deployments/" + p.rebuild().id()));
    }

    /** The preview, and its token when this call issued one: shown this once, never again. */
    private ObjectNode answer(Previews.Created c) {
        ObjectNode body = Json.object();
        body.set("preview", previews.view(c.preview()));
        if (c.token() != null) {
            body.put("token", c.token());
            body.put("tokenNote", "shown once: visitors open the preview URL with ?slipway_token=<token> (a cookie keeps it) "
                    + "or send header x-slipway-preview-token; POST …/token issues a new one and revokes this");
        }
        return body;
    }

    private static Actor actor(ApiRequest request) {
        return new Actor(Actor.ADMIN, request.requestId(), request.sourceIp());
    }
}
