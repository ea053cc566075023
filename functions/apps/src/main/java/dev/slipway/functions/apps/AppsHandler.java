package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppPatch;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.apps.AppView;
import dev.slipway.shared.apps.NewApp;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.model.Alias;
import dev.slipway.shared.deploy.store.AliasStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.util.Map;

/** POST /apps, GET /apps, GET /apps/{appId}, PATCH /apps/{appId}. */
public final class AppsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final AppService apps;
    private final ApiRouter router;
    private final AliasStore aliases;
    private final SiteUrls urls;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public AppsHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public AppsHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private AppsHandler(AppsFunctionServices services) {
        this.apps = services.apps();
        this.aliases = services.aliases();
        this.urls = new SiteUrls(services.config().get(EnvNames.SITE_URL_PATTERN).orElse(null));
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps", this::create)
                .route("GET /apps", this::list)
                .route("GET /apps/{appId}", this::get)
                .route("PATCH /apps/{appId}", this::update)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        App app = apps.create(NewApp.fromJson(request.jsonObject()), actor(request));
        return ApiResponse.json(201, AppView.of(app), Map.of("location", "/apps/" + app.id()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        AppStore.AppPage page = apps.list(request.queryParameter("limit").orElse(null),
                request.queryParameter("cursor").orElse(null));
        ObjectNode body = Json.object();
        var items = body.putArray("apps");
        // A token for some apps sees only those (a page may then hold fewer than its limit).
        page.apps().stream().filter(a -> request.principal().mayUse(a.id())).forEach(a -> items.add(AppView.of(a)));
        if (page.nextCursor() != null) {
            body.put("nextCursor", page.nextCursor());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        App app = apps.get(request.pathParameter("appId").orElse(""));
        ObjectNode view = AppView.of(app);
        // What visitors get now: the release production points at (null before the first deploy).
        aliases.get(app.id(), Alias.PRODUCTION).ifPresentOrElse(a -> {
            ObjectNode p = view.putObject("production");
            p.put("releaseId", a.releaseId());
            p.put("since", a.updatedAt().toString());
            p.put("deploymentId", a.deploymentId());
            p.put("pinned", a.pinned());
            p.put("aliasVersion", a.version());
            urls.appUrl(app.id()).ifPresent(u -> p.put("url", u));
            view.with("links").put("deployments", "/apps/" + app.id() + "/deployments");
        }, () -> view.putNull("production"));
        return ApiResponse.json(200, view);
    }

    private APIGatewayV2HTTPResponse update(ApiRequest request) {
        String id = request.pathParameter("appId").orElse("");
        AppId.require(id);
        ObjectNode body = request.jsonObject();
        AppPatch.refuseIdChange(body);
        apps.get(id); // an unknown app is a 404 before the patch's fields are judged
        return ApiResponse.json(200, AppView.of(apps.update(id, AppPatch.fromJson(body), actor(request))));
    }

    private static Actor actor(ApiRequest request) {
        return request.actor();
    }
}
