package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.github.GitHubSync;
import dev.slipway.shared.github.NewSource;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * GitHub sync: PUT/GET /apps/{appId}/source, and GitHub's webhook POST /webhooks/github/{appId}, which
 * checks the signature and queues the push for {@link GitHubSyncHandler} (answering well within GitHub's 10 s).
 */
public final class GitHubHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final GitHubSync sync;
    private final ApiRouter router;

    public GitHubHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    public GitHubHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private GitHubHandler(DeployFunctionServices services) {
        this.sync = services.gitHub();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("PUT /apps/{appId}/source", this::configure)
                .route("GET /apps/{appId}/source", this::get)
                .route("POST /webhooks/github/{appId}", this::webhook)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse configure(ApiRequest request) {
        GitHubSync.Configured c = sync.configure(request.pathParameter("appId").orElse(""), NewSource.fromJson(request.jsonObject()),
                request.actor());
        ObjectNode body = c.source().view();
        // GitHub's webhook settings: this URL, content type application/json, this secret, the push event.
        body.put("webhookSecret", c.webhookSecret());
        return ApiResponse.jsonShownOnce(200, body, Map.of());
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, sync.get(request.pathParameter("appId").orElse("")).view());
    }

    private APIGatewayV2HTTPResponse webhook(ApiRequest request) {
        GitHubSync.Receipt r = sync.receive(request.pathParameter("appId").orElse(null), request.bodyBytes(),
                request.header("x-hub-signature-256").orElse(null), request.header("x-github-delivery").orElse(null),
                request.header("x-github-event").orElse(null), request.sourceIp());
        ObjectNode body = Json.object();
        body.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        if (r.job() != null) {
            body.put("branch", r.job().branch());
            body.put("target", r.job().target());
            body.put("deleted", r.job().deleted());
        }
        if (r.why() != null) {
            body.put("detail", r.why());
        }
        return ApiResponse.json(r.outcome() == GitHubSync.Outcome.QUEUED ? 202 : 200, body);
    }
}
