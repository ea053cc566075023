package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.upload.DirectUploadService;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.store.Cursors;

import java.util.Map;

/**
 * Direct upload of a prebuilt site: POST /apps/{appId}/releases (file list → hashes to upload),
 * POST …/releases/{releaseId}/finalize and GET …/releases/{releaseId}. See {@link DirectUploadService}.
 */
public final class ReleasesHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DirectUploadService uploads;
    private final ApiRouter router;

    public ReleasesHandler() {
        this(Config.fromEnvironment());
    }

    public ReleasesHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private ReleasesHandler(Config config) {
        DeployComponents c = new DeployComponents(config);
        this.uploads = new DirectUploadService(c.apps, c.stores, c.files, S3Clients.presigner(c.aws), c.urls, c.clock);
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, c.aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, c.aws))
                .route("POST /apps/{appId}/releases", this::create)
                .route("GET /apps/{appId}/releases/{releaseId}", this::get)
                .route("POST /apps/{appId}/releases/{releaseId}/finalize", this::finalizeRelease)
                .route("GET /apps/{appId}/releases/{releaseId}/uploads", this::uploads)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        ObjectNode out = uploads.create(request.pathParameter("appId").orElse(""),
                request.jsonObject(DirectUploadService.MAX_BODY_BYTES), actor(request));
        return ApiResponse.json(201, out, Map.of("location", out.path("links").path("self").asText()));
    }

    private APIGatewayV2HTTPResponse finalizeRelease(ApiRequest request) {
        DirectUploadService.Finalized f = uploads.finalize(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse(""), actor(request));
        return ApiResponse.json(200, f.view());
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, uploads.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse("")));
    }

    private APIGatewayV2HTTPResponse uploads(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), DirectUploadService.UPLOADS_PAGE, DirectUploadService.UPLOADS_PAGE);
        return ApiResponse.json(200, uploads.uploads(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse(""), request.queryParameter("cursor").orElse(null), limit));
    }

    private static Actor actor(ApiRequest request) {
        return new Actor(Actor.ADMIN, request.requestId(), request.sourceIp());
    }
}
