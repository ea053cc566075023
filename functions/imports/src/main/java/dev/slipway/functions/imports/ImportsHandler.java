package dev.slipway.functions.imports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.imports.ImportResult;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.imports.PresignedUpload;
import dev.slipway.shared.imports.RemoteImportRequest;
import dev.slipway.shared.imports.UploadRequest;
import dev.slipway.shared.imports.UploadService;
import dev.slipway.shared.json.Json;

import java.util.Locale;
import java.util.Map;

/** POST /apps/{appId}/imports (zip body, {uploadId} or {gitUrl, ref}) and POST /apps/{appId}/uploads. */
public final class ImportsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final ImportService imports;
    private final dev.slipway.shared.deploy.LockfileCommit lockfiles;
    private final UploadService uploads;
    private final ApiRouter router;

    public ImportsHandler() {
        this(new ImportsFunctionServices(Config.fromEnvironment()));
    }

    public ImportsHandler(Map<String, String> environment) {
        this(new ImportsFunctionServices(Config.of(environment)));
    }

    private ImportsHandler(ImportsFunctionServices services) {
        this.uploads = services.uploads();
        this.imports = services.imports();
        this.lockfiles = services.lockfileCommit();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/imports", this::importExport)
                .route("POST /apps/{appId}/uploads", this::createUpload)
                .route("GET /apps/{appId}/deployments/{deploymentId}/lockfile", this::offeredLockfile)
                .route("POST /apps/{appId}/deployments/{deploymentId}/lockfile-commit", this::commitLockfile)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    /** The lockfile a deployment's build installed from when it differs from its commit's: what a commit would add. */
    private APIGatewayV2HTTPResponse offeredLockfile(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        imports.requireApp(appId);
        String deploymentId = request.pathParameter("deploymentId").orElse("");
        ObjectNode body = Json.MAPPER.valueToTree(lockfiles.offer(appId, deploymentId));
        body.putObject("links").put("commit", "/apps/" + appId + "/deployments/" + deploymentId + "/lockfile-commit");
        return ApiResponse.json(200, body);
    }

    /** The lockfile a deployment's build installed from, committed on its branch (LockfileCommit). */
    private APIGatewayV2HTTPResponse commitLockfile(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        imports.requireApp(appId);
        dev.slipway.shared.deploy.LockfileCommit.Result r = lockfiles.commit(appId, request.pathParameter("deploymentId").orElse(""), actor(request));
        ObjectNode body = Json.MAPPER.valueToTree(r);
        body.putObject("links").put("files", "/apps/" + appId + "/commits/" + r.commit() + "/files");
        return ApiResponse.json(201, body);
    }

    /** A zip body, or JSON naming an upload or a git URL: the three ways in share one answer. */
    private APIGatewayV2HTTPResponse importExport(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        ImportResult result = isZip(request) ? importInlineZip(appId, request) : importRemote(appId, request);
        ObjectNode body = Json.MAPPER.valueToTree(result);
        body.putObject("links").put("commits", "/apps/" + appId + "/commits?branch=" + result.branch())
                .put("files", "/apps/" + appId + "/commits/" + result.commit() + "/files");
        return ApiResponse.json(result.created() ? 201 : 200, body);
    }

    private static boolean isZip(ApiRequest request) {
        String type = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        return type.startsWith("application/zip") || type.startsWith("application/x-zip-compressed")
                || type.startsWith("application/octet-stream");
    }

    private ImportResult importInlineZip(String appId, ApiRequest request) {
        imports.requireApp(appId); // an unknown app is a 404 before the body is read
        byte[] zip = request.bodyBytes();
        String name = request.header("x-slipway-filename").filter(n -> n.matches("[A-Za-z0-9._ -]{1,100}"))
                .orElse("request body");
        return imports.importInlineZip(appId, branchParameter(request), zip, name, actor(request));
    }

    private ImportResult importRemote(String appId, ApiRequest request) {
        RemoteImportRequest r = RemoteImportRequest.fromJson(request.jsonObject());
        // The body's branch wins over the query's.
        String branch = r.branch() != null ? r.branch() : branchParameter(request);
        return r.fromUpload()
                ? imports.importUpload(appId, branch, r.uploadId(), actor(request))
                : imports.importGit(appId, branch, r.gitUrl(), r.ref(), actor(request));
    }

    private static String branchParameter(ApiRequest request) {
        return request.queryParameter("branch").orElse(null);
    }

    private APIGatewayV2HTTPResponse createUpload(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        imports.requireApp(appId);
        PresignedUpload upload = uploads.create(appId, UploadRequest.fromJson(request.jsonObject()));
        return ApiResponse.json(201, view(appId, upload));
    }

    /** The upload's JSON: where to PUT, with which headers, until when, and the import to send next. */
    private static ObjectNode view(String appId, PresignedUpload upload) {
        ObjectNode out = Json.object();
        out.put("uploadId", upload.uploadId());
        out.put("method", upload.method());
        out.put("url", upload.url());
        ObjectNode headers = out.putObject("headers");
        upload.headers().forEach(headers::put);
        out.put("maxBytes", upload.maxBytes());
        out.put("expiresAt", upload.expiresAt().toString());
        out.putObject("next").put("import", "POST /apps/" + appId + "/imports {\"uploadId\": \"" + upload.uploadId() + "\"}");
        return out;
    }

    private static Actor actor(ApiRequest request) {
        return request.actor();
    }
}
