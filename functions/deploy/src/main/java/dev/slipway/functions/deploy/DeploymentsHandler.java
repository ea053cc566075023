package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.NewDeployment;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Cursors;

import java.util.Map;

/** POST/GET /apps/{appId}/deployments, GET …/deployments/{deploymentId} and its /logs. */
public final class DeploymentsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DeployService deploys;
    private final SiteUrls urls;
    private final ApiRouter router;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public DeploymentsHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public DeploymentsHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private DeploymentsHandler(DeployFunctionServices services) {
        this.deploys = services.deploys();
        this.urls = services.urls();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/deployments", this::start)
                .route("GET /apps/{appId}/deployments", this::list)
                .route("GET /apps/{appId}/deployments/{deploymentId}", this::get)
                .route("GET /apps/{appId}/deployments/{deploymentId}/logs", this::logs)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse start(ApiRequest request) {
        Deployment d = deploys.start(request.pathParameter("appId").orElse(""), NewDeployment.fromJson(request.jsonObject()),
                request.actor());
        return ApiResponse.json(202, DeploymentView.of(d, urls), Map.of("location", "/apps/" + d.appId() + "/deployments/" + d.id()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), 20, 100);
        DeploymentStore.DeploymentPage page = deploys.list(request.pathParameter("appId").orElse(""), limit,
                request.queryParameter("cursor").orElse(null));
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("deployments");
        page.items().forEach(d -> items.add(DeploymentView.of(d, urls)));
        if (page.next() != null) {
            body.put("nextCursor", page.next());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, DeploymentView.of(deploys.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("deploymentId").orElse("")), urls));
    }

    private APIGatewayV2HTTPResponse logs(ApiRequest request) {
        String log = deploys.log(request.pathParameter("appId").orElse(""), request.pathParameter("deploymentId").orElse(""));
        return ApiResponse.text(200, log);
    }
}
