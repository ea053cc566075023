package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;

import java.time.Clock;
import java.util.Map;

/**
 * GET /apps/{appId}/environment (names and scopes, never values) and PATCH /apps/{appId}/environment
 * ({@code set} / {@code remove}). Its own function: only it may write the apps' SSM parameters.
 */
public final class EnvironmentHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final EnvironmentService environment;
    private final ApiRouter router;

    public EnvironmentHandler() {
        this(Config.fromEnvironment());
    }

    public EnvironmentHandler(Map<String, String> environment) {
        this(Config.of(environment));
    }

    private EnvironmentHandler(Config config) {
        AwsClients aws = new AwsClients(config);
        AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
        AppService apps = new AppService(new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger),
                Clock.systemUTC());
        this.environment = new EnvironmentService(apps, AppEnvironment.from(aws), aws.dynamoDbEnhanced(), ledger, Clock.systemUTC());
        this.router = ApiRouter.authenticated(new AdminAuth(AdminTokenHashSource.from(config, aws::ssm)))
                .idempotency(DynamoDbIdempotencyStore.from(config, aws))
                .route("GET /apps/{appId}/environment", this::list)
                .route("PATCH /apps/{appId}/environment", this::change)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        return ApiResponse.json(200, environment.list(request.pathParameter("appId").orElse("")));
    }

    private APIGatewayV2HTTPResponse change(ApiRequest request) {
        String appId = request.pathParameter("appId").orElse("");
        dev.slipway.shared.apps.AppId.require(appId); // 400 for a bad id before the body is read
        Actor actor = new Actor(Actor.ADMIN, request.requestId(), request.sourceIp());
        return ApiResponse.json(200, environment.change(appId, request.jsonObject(), actor));
    }
}
