package dev.slipway.functions.imports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.git.CommitHistory;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.store.Cursors;

import java.util.Map;

/** GET /apps/{appId}/commits and GET /apps/{appId}/commits/{sha}/files. Read-only. */
public final class CommitsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final CommitHistory history;
    private final AppService apps;
    private final ApiRouter router;

    public CommitsHandler() {
        this(new ImportsFunctionServices(Config.fromEnvironment()));
    }

    public CommitsHandler(Map<String, String> environment) {
        this(new ImportsFunctionServices(Config.of(environment)));
    }

    private CommitsHandler(ImportsFunctionServices services) {
        this.apps = services.apps();
        this.history = services.history();
        this.router = ApiRouter.authenticated(services.authenticator())
                .route("GET /apps/{appId}/commits", this::commits)
                .route("GET /apps/{appId}/commits/{sha}/files", this::files)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse commits(ApiRequest request) {
        String appId = requireApp(request);
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null),
                CommitHistory.DEFAULT_COMMITS, CommitHistory.MAX_COMMITS);
        return ApiResponse.json(200, CommitsView.of(history.commits(appId, request.queryParameter("branch").orElse(null), limit,
                request.queryParameter("cursor").orElse(null))));
    }

    private APIGatewayV2HTTPResponse files(ApiRequest request) {
        String appId = requireApp(request);
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null),
                CommitHistory.DEFAULT_FILES, CommitHistory.MAX_FILES);
        return ApiResponse.json(200, CommitsView.of(history.files(appId, request.pathParameter("sha").orElse(""), limit,
                request.queryParameter("cursor").orElse(null))));
    }

    private String requireApp(ApiRequest request) {
        return apps.get(request.pathParameter("appId").orElse("")).id();
    }
}
