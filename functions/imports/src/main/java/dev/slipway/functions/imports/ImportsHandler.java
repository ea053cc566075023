package dev.slipway.functions.imports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.imports.ImportRequest;
import dev.slipway.shared.imports.ImportResult;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.imports.UploadService;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.util.Map;

/** POST /apps/{appId}/imports (zip body, {uploadId} or {gitUrl, ref}) and POST /apps/{appId}/uploads. */
public final class ImportsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final ImportService imports;
    private final UploadService uploads;
    private final ApiRouter router;

    public ImportsHandler() {
        this(Config.fromEnvironment());
    }

    public ImportsHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private ImportsHandler(Config config) {
        AwsClients aws = new AwsClients(config);
        S3Client s3 = S3Clients.client(aws);
        String bucket = config.require(EnvNames.ARTIFACTS_BUCKET);
        AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
        ImportLimits limits = ImportRequest.limits(config);
        this.uploads = new UploadService(s3, S3Clients.presigner(aws), bucket,
                config.get(EnvNames.UPLOAD_MAX_BYTES).map(Long::parseLong).orElse(UploadService.DEFAULT_MAX_BYTES),
                Clock.systemUTC());
        this.imports = new ImportService(
                new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger),
                new GitStore(s3, bucket, new GitTable(aws.dynamoDbEnhanced(), config.require(EnvNames.GIT_TABLE))),
                AppEnvironment.from(aws), uploads, GitUrlImport.standard(limits), Clock.systemUTC(),
                ImportRequest.tempParent(config), limits);
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, aws))
                .route("POST /apps/{appId}/imports", this::importExport)
                .route("POST /apps/{appId}/uploads", this::createUpload)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse importExport(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        ImportResult result = ImportRequest.run(imports, appId, request, actor(request));
        ObjectNode body = Json.MAPPER.valueToTree(result);
        body.putObject("links").put("commits", "/apps/" + appId + "/commits?branch=" + result.branch())
                .put("files", "/apps/" + appId + "/commits/" + result.commit() + "/files");
        return ApiResponse.json(result.created() ? 201 : 200, body);
    }

    private APIGatewayV2HTTPResponse createUpload(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        imports.requireApp(appId);
        return ApiResponse.json(201, uploads.create(appId, request.jsonObject()));
    }

    private static Actor actor(ApiRequest request) {
        return new Actor(Actor.ADMIN, request.requestId(), request.sourceIp());
    }

}
