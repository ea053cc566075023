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
import dev.slipway.shared.deploy.preview.NewPreview;
import dev.slipway.shared.deploy.preview.PreviewPatch;
import dev.slipway.shared.deploy.preview.PreviewPromotion;
import dev.slipway.shared.deploy.preview.Previews;
import dev.slipway.shared.deploy.store.PreviewStore;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Cursors;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * Previews: POST/GET /apps/{appId}/previews, GET/PATCH/DELETE …/previews/{name}, POST …/{name}/token,
 * POST …/{name}/promote.
 * The work is {@link Previews}.
 */
public final class PreviewsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Previews previews;
    private final SiteUrls urls;
    private final Clock clock;
    private final ApiRouter router;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public PreviewsHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public PreviewsHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private PreviewsHandler(DeployFunctionServices services) {
        this.previews = services.previews();
        this.urls = services.urls();
        this.clock = services.clock();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
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
        Previews.Created created = previews.create(request.pathParameter("appId").orElse(""),
                NewPreview.fromJson(request.jsonObject()), actor(request));
        ObjectNode body = answer(created);
        body.set("deployment", DeploymentView.of(created.deployment(), urls));
        return ApiResponse.json(202, body, Map.of("location",
                "/apps/" + created.preview().appId() + "/previews/" + created.preview().name()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), 20, 100);
        String appId = request.pathParameter("appId").orElse("");
        PreviewStore.PreviewPage page = previews.list(appId, limit, request.queryParameter("cursor").orElse(null));
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("previews");
        previews.withAliases(appId, page.items()).forEach(p -> items.add(view(p)));
        if (page.next() != null) {
            body.put("nextCursor", page.next());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, view(previews.withAlias(previews.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse("")))));
    }

    private APIGatewayV2HTTPResponse update(ApiRequest request) {
        return ApiResponse.json(200, answer(previews.update(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse(""), PreviewPatch.fromJson(request.jsonObject(), clock.instant()), actor(request))));
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
            JsonObjectReader.of(request.jsonObject(), Set.of()).throwIfInvalid();
        }
        return ApiResponse.json(200, answer(previews.rotateToken(request.pathParameter("appId").orElse(""),
                request.pathParameter("name").orElse(""), actor(request))));
    }

    private APIGatewayV2HTTPResponse promote(ApiRequest request) {
        PreviewPromotion in = PreviewPromotion.fromJson(request.bodyBytes().length == 0 ? Json.object() : request.jsonObject());
        Previews.Promotion p = previews.promote(request.pathParameter("appId").orElse(""), request.pathParameter("name").orElse(""), in, actor(request));
        ObjectNode body = Json.object();
        body.put("releaseId", p.release().id());
        if (p.moved() != null) {
            body.put("rebuilt", false);
            body.set("production", AliasChangeView.of(p.moved()));
            return ApiResponse.json(200, body);
        }
        body.put("rebuilt", true);
        body.set("deployment", DeploymentView.of(p.rebuild(), urls));
        return ApiResponse.json(202, body, Map.of("location", "/apps/" + p.rebuild().appId() + "/deployments/" + p.rebuild().id()));
    }

    /** The preview, and its token when this call issued one: shown this once, never again. */
    private ObjectNode answer(Previews.Created c) {
        ObjectNode body = Json.object();
        body.set("preview", view(previews.withAlias(c.preview())));
        if (c.token() != null) {
            body.put("token", c.token());
            body.put("tokenNote", "shown once: visitors open the preview URL with ?slipway_token=<token> (a cookie keeps it) "
                    + "or send header x-slipway-preview-token; POST …/token issues a new one and revokes this");
        }
        return body;
    }

    private ObjectNode view(Previews.Live live) {
        return PreviewView.of(live, urls, clock.instant());
    }

    private static Actor actor(ApiRequest request) {
        return request.actor();
    }
}
