package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.auth.NewToken;
import dev.slipway.shared.auth.TokenService;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;

import java.time.Clock;
import java.util.Map;

/**
 * POST /tokens (the secret once), GET /tokens (never secrets), DELETE /tokens/{tokenId} (revoke) and
 * POST /tokens/{tokenId}/rotate (a new secret; the old one valid until {@code oldExpiresAt}).
 */
public final class TokensHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final TokenService tokens;
    private final Clock clock;
    private final ApiRouter router;

    public TokensHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    public TokensHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private TokensHandler(AppsFunctionServices services) {
        this.tokens = services.tokens();
        this.clock = services.clock();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /tokens", this::create)
                .route("GET /tokens", this::list)
                .route("DELETE /tokens/{tokenId}", this::revoke)
                .route("POST /tokens/{tokenId}/rotate", this::rotate)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        TokenService.Created created = tokens.create(NewToken.fromJson(request.jsonObject(), clock.instant()), request.actor());
        return ApiResponse.jsonShownOnce(201, withSecret(created), Map.of("location", "/tokens/" + created.token().id()));
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        ObjectNode body = Json.object();
        var items = body.putArray("tokens");
        tokens.list().forEach(t -> items.add(TokenService.view(t)));
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse revoke(ApiRequest request) {
        return ApiResponse.json(200, TokenService.view(tokens.revoke(request.pathParameter("tokenId").orElse(""), request.actor())));
    }

    private APIGatewayV2HTTPResponse rotate(ApiRequest request) {
        String id = request.pathParameter("tokenId").orElse("");
        tokens.get(id); // an unknown token is a 404 before the body is judged
        ObjectNode body = request.rawBody().isEmpty() ? Json.object() : request.jsonObject();
        TokenService.Created created = tokens.rotate(id, NewToken.oldValidUntil(body, clock.instant()), request.actor());
        ObjectNode out = withSecret(created);
        out.set("old", TokenService.view(tokens.get(id)));
        return ApiResponse.jsonShownOnce(201, out, Map.of("location", "/tokens/" + created.token().id()));
    }

    /** The one answer that holds the secret: it is not stored anywhere, so it cannot be shown again. */
    private static ObjectNode withSecret(TokenService.Created created) {
        ObjectNode out = TokenService.view(created.token());
        out.put("token", created.secret());
        return out;
    }
}
