package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.util.Map;

/**
 * Backups and restores of the linked database: POST/GET …/database/backups, GET …/backups/{backupId},
 * POST …/backups/{backupId}/download (a presigned URL), PUT …/database/backup-policy,
 * POST …/database/restores and GET …/restores/{restoreId}. Starting answers 202; the data workflow works.
 */
public final class BackupsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Backups backups;
    private final ApiRouter router;

    public BackupsHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public BackupsHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private BackupsHandler(DataFunctionServices services) {
        this.backups = services.backups();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/database/backups", this::start)
                .route("GET /apps/{appId}/database/backups", this::list)
                .route("GET /apps/{appId}/database/backups/{backupId}", this::get)
                .route("POST /apps/{appId}/database/backups/{backupId}/download", this::download)
                .route("PUT /apps/{appId}/database/backup-policy", this::policy)
                .route("POST /apps/{appId}/database/restores", this::restore)
                .route("GET /apps/{appId}/database/restores/{restoreId}", this::restoreStatus)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private static String app(ApiRequest r) {
        return r.pathParameter("appId").orElse("");
    }

    private APIGatewayV2HTTPResponse start(ApiRequest request) {
        ObjectNode b = backups.start(app(request), "on-demand", request.actor());
        return ApiResponse.json(202, b, Map.of("location", "/apps/" + app(request) + "/database/backups/" + b.get("backupId").asText()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        ObjectNode body = Json.object();
        var items = body.putArray("backups");
        backups.list(app(request)).forEach(items::add);
        body.set("policy", backups.policy(app(request)).json());
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, backups.get(app(request), request.pathParameter("backupId").orElse("")));
    }

    private APIGatewayV2HTTPResponse download(ApiRequest request) {
        return ApiResponse.json(200, backups.download(app(request), request.pathParameter("backupId").orElse(""), request.actor()));
    }

    private APIGatewayV2HTTPResponse policy(ApiRequest request) {
        return ApiResponse.json(200, backups.setPolicy(app(request), Backups.Policy.fromJson(request.jsonObject()), request.actor()).json());
    }

    private APIGatewayV2HTTPResponse restore(ApiRequest request) {
        ObjectNode r = backups.startRestore(app(request), Backups.RestoreRequest.fromJson(request.jsonObject()), request.actor());
        return ApiResponse.json(202, r, Map.of("location", "/apps/" + app(request) + "/database/restores/" + r.get("restoreId").asText()));
    }

    private APIGatewayV2HTTPResponse restoreStatus(ApiRequest request) {
        return ApiResponse.json(200, backups.restore(app(request), request.pathParameter("restoreId").orElse("")));
    }
}
