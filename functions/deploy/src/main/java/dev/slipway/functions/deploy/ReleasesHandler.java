package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.deploy.SiteUrls;
import dev.slipway.shared.deploy.upload.DirectUploadService;
import dev.slipway.shared.deploy.upload.NewUpload;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.store.Cursors;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slipway.shared.deploy.server.hosting.ServerLogs;
import dev.slipway.shared.http.ProblemException;
import dev.slipway.shared.http.ProblemType;
import dev.slipway.shared.json.Json;

/**
 * Direct upload of a prebuilt site: POST /apps/{appId}/releases (file list → hashes to upload),
 * POST …/releases/{releaseId}/finalize and GET …/releases/{releaseId}. See {@link DirectUploadService}.
 */
public final class ReleasesHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DirectUploadService uploads;
    private final SiteUrls urls;
    private final ApiRouter router;
    private final RedactedServerLogs logs;

    /** Lambda's entry: configuration from the environment template.yaml sets. */
    public ReleasesHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    /** The local runtime's entry: the same variables, resolved for the laptop. */
    public ReleasesHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private ReleasesHandler(DeployFunctionServices services) {
        this.uploads = services.uploads();
        this.urls = services.urls();
        this.logs = services.releaseLogs();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/releases", this::create)
                .route("GET /apps/{appId}/releases/{releaseId}", this::get)
                .route("POST /apps/{appId}/releases/{releaseId}/finalize", this::finalizeRelease)
                .route("GET /apps/{appId}/releases/{releaseId}/uploads", this::uploads)
                .route("GET /apps/{appId}/releases/{releaseId}/logs", this::logs)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        DirectUploadService.Staged staged = uploads.create(request.pathParameter("appId").orElse(""),
                NewUpload.fromJson(request.jsonObject(DirectUploadService.MAX_BODY_BYTES)), actor(request));
        ObjectNode out = UploadView.created(staged);
        return ApiResponse.json(201, out, Map.of("location", UploadView.self(staged.release().appId(), staged.release().id())));
    }

    private APIGatewayV2HTTPResponse finalizeRelease(ApiRequest request) {
        DirectUploadService.Finalized f = uploads.finalize(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse(""), actor(request));
        return ApiResponse.json(200, view(f.release()));
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, view(uploads.get(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse(""))));
    }

    private APIGatewayV2HTTPResponse uploads(ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), DirectUploadService.UPLOADS_PAGE, DirectUploadService.UPLOADS_PAGE);
        return ApiResponse.json(200, UploadView.page(uploads.uploads(request.pathParameter("appId").orElse(""),
                request.pathParameter("releaseId").orElse(""), request.queryParameter("cursor").orElse(null), limit)));
    }

    /** GET …/releases/{releaseId}/logs?since=&limit=: the release server's runtime log, values redacted. */
    private APIGatewayV2HTTPResponse logs(ApiRequest request) {
        DirectUploadService.Read r = uploads.get(request.pathParameter("appId").orElse(""), request.pathParameter("releaseId").orElse(""));
        Instant since = null;
        String sinceText = request.queryParameter("since").orElse(null);
        if (sinceText != null) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                throw new ProblemException(ProblemType.INVALID_QUERY, "since must be an instant such as 2026-01-31T12:00:00Z");
            }
        }
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), RedactedServerLogs.DEFAULT_LIMIT, RedactedServerLogs.MAX_LIMIT);
        ObjectNode out = Json.object();
        out.put("releaseId", r.release().id());
        out.put("server", r.release().server() != null);
        ArrayNode lines = out.putArray("lines");
        if (r.release().server() != null) {
            ServerLogs.Page page = logs.read(r.release().appId(), r.release().id(), since, limit);
            page.lines().forEach(l -> lines.add(Json.object().put("at", l.at().toString()).put("text", l.text())));
            out.put("next", page.next() == null ? null : page.next().toString());
        } else {
            out.putNull("next");
        }
        return ApiResponse.json(200, out);
    }

    private ObjectNode view(DirectUploadService.Read r) {
        return ReleaseView.of(r.release(), r.production(), urls);
    }

    private static Actor actor(ApiRequest request) {
        return request.actor();
    }
}
