package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.link.LinkRequest;
import dev.slipway.shared.data.preview.PreviewDatabases;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;

import java.util.Map;

/**
 * PUT /apps/{appId}/database (link after a connection check), GET (what may be shown), DELETE (unlink); PUT/GET
 * …/database/preview-policy (whether previews get databases of their own: none, migrations, backup).
 */
public final class DatabaseHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DatabaseLinks links;
    private final PreviewDatabases previews;
    private final ApiRouter router;

    public DatabaseHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public DatabaseHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private DatabaseHandler(DataFunctionServices services) {
        this.links = services.links();
        this.previews = services.previewDatabases();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("PUT /apps/{appId}/database", this::link)
                .route("GET /apps/{appId}/database", this::get)
                .route("DELETE /apps/{appId}/database", this::unlink)
                .route("PUT /apps/{appId}/database/preview-policy", this::setPreviewPolicy)
                .route("GET /apps/{appId}/database/preview-policy", this::previewPolicy)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse link(ApiRequest request) {
        String app = request.pathParameter("appId").orElse("");
        return ApiResponse.json(200, links.link(app, LinkRequest.fromJson(request.jsonObject()), request.actor()).view());
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, links.get(request.pathParameter("appId").orElse("")).view());
    }

    private APIGatewayV2HTTPResponse setPreviewPolicy(ApiRequest request) {
        String app = request.pathParameter("appId").orElse("");
        previews.setPolicy(app, PreviewDatabases.Policy.fromJson(request.jsonObject()), request.actor());
        return ApiResponse.json(200, previews.view(app));
    }

    private APIGatewayV2HTTPResponse previewPolicy(ApiRequest request) {
        return ApiResponse.json(200, previews.view(request.pathParameter("appId").orElse("")));
    }

    private APIGatewayV2HTTPResponse unlink(ApiRequest request) {
        links.unlink(request.pathParameter("appId").orElse(""), request.actor());
        return ApiResponse.json(200, java.util.Map.of("unlinked", true));
    }
}
