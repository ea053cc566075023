package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.deploy.store.DeploymentStore;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.store.Cursors;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.Map;

/** POST/GET /apps/{appId}/deployments, GET …/deployments/{deploymentId} and its /logs. */
public final class DeploymentsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DeployService deploys;
    private final ApiRouter router;

    public DeploymentsHandler() {
        this(Config.fromEnvironment());
    }

    public DeploymentsHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private DeploymentsHandler(Config config) {
        DeployComponents c = new DeployComponents(config);
        SfnClient sfn = c.aws.configure(SfnClient.builder(), "SFN").build();
        this.deploys = new DeployService(c.apps, c.stores, c.files, c.sources, sfn,
                config.require(EnvNames.DEPLOY_STATE_MACHINE_ARN), c.urls, c.clock);
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, c.aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, c.aws))
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
        Deployment d = deploys.start(request.pathParameter("appId").orElse(""), request.jsonObject(),
                new Actor(Actor.ADMIN, request.requestId(), request.sourceIp()));
        return ApiResponse.json(202, deploys.view(d), Map.of("location", "/apps/" + d.appId() + "/deployments/" + d.id()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), 20, 100);
        DeploymentStore.DeploymentPage page = deploys.list(request.pathParameter("appId").orElse(""), limit,
                request.queryParameter("cursor").orElse(null));
        var body = Json.object();
        var items = body.putArray("deployments");
        page.items().forEach(d -> items.add(deploys.view(d)));
        if (page.next() != null) {
            body.put("nextCursor", page.next());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, deploys.view(deploys.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("deploymentId").orElse(""))));
    }

    private APIGatewayV2HTTPResponse logs(ApiRequest request) {
        String log = deploys.log(request.pathParameter("appId").orElse(""), request.pathParameter("deploymentId").orElse(""));
        return ApiResponse.text(200, log);
    }
}
