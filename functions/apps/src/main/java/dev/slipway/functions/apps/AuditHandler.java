package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditExport;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.audit.ChainVerification;
import dev.slipway.shared.auth.TokenStore;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.Cursors;

import java.util.Map;

/**
 * An app's audit trail: GET /apps/{appId}/audit (oldest first), GET /apps/{appId}/audit/verify
 * (re-hash the live chain), POST /apps/{appId}/audit/export (export new events to S3 now) and
 * GET /apps/{appId}/audit/exports/verify (walk the exported digest chain); the tokens' own chain (made,
 * rotated, revoked: no app's) at GET /tokens/audit and GET /tokens/audit/verify, for admins.
 */
public final class AuditHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;

    private final AppService apps;
    private final AuditLedger ledger;
    private final AuditExport export;
    private final ApiRouter router;

    public AuditHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    public AuditHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private AuditHandler(AppsFunctionServices services) {
        this.ledger = services.ledger();
        this.apps = services.apps();
        this.export = services.auditExport();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("GET /apps/{appId}/audit", this::list)
                .route("GET /apps/{appId}/audit/verify", this::verify)
                .route("POST /apps/{appId}/audit/export", this::export)
                .route("GET /apps/{appId}/audit/exports/verify", this::verifyExports)
                .route("GET /tokens/audit", r -> list(TokenStore.AUDIT_CHAIN, r))
                .route("GET /tokens/audit/verify", r -> verify(TokenStore.AUDIT_CHAIN))
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    /** The app's id, after checking it exists (404 app-not-found otherwise). */
    private String appId(ApiRequest request) {
        return apps.get(request.pathParameter("appId").orElse("")).id();
    }

    private APIGatewayV2HTTPResponse list(ApiRequest request) {
        return list(appId(request), request);
    }

    /** A chain's events oldest first: an app's, or the tokens' own ({@code _tokens}: made, rotated, revoked). */
    private APIGatewayV2HTTPResponse list(String chain, ApiRequest request) {
        int limit = Cursors.limit(request.queryParameter("limit").orElse(null), DEFAULT_PAGE, MAX_PAGE);
        long from = 1;
        String cursor = request.queryParameter("cursor").orElse(null);
        if (cursor != null) {
            try {
                from = Long.parseLong(Cursors.decode(cursor));
            } catch (NumberFormatException e) {
                throw Cursors.invalid();
            }
            if (from < 1) {
                throw Cursors.invalid();
            }
        }
        AuditLedger.Page page = ledger.page(chain, from, limit);
        ObjectNode body = Json.object();
        var events = body.putArray("events");
        for (AuditEvent e : page.events()) {
            ObjectNode n = e.toJson();
            n.remove("appId");
            events.add(n);
        }
        if (page.nextSeq() != null) {
            body.put("nextCursor", Cursors.encode(Long.toString(page.nextSeq())));
        } else {
            body.putNull("nextCursor");
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse verify(ApiRequest request) {
        return verify(appId(request));
    }

    private APIGatewayV2HTTPResponse verify(String chain) {
        ChainVerification v = ledger.verify(chain);
        ObjectNode body = Json.object();
        body.put("valid", v.valid());
        body.put("events", v.events());
        if (v.valid()) {
            body.put("head", v.head());
        } else {
            body.put("brokenAtSeq", v.brokenAtSeq());
            body.put("reason", v.reason());
        }
        return ApiResponse.json(200, body);
    }

    private APIGatewayV2HTTPResponse export(ApiRequest request) {
        return ApiResponse.json(200, AuditExportHandler.view(export.export(appId(request))));
    }

    private APIGatewayV2HTTPResponse verifyExports(ApiRequest request) {
        AuditExport.Verification v = export.verify(appId(request));
        ObjectNode body = Json.object();
        body.put("valid", v.valid());
        body.put("digests", v.digests());
        body.put("toSeq", v.toSeq());
        if (!v.valid()) {
            body.put("brokenKey", v.brokenKey());
            body.put("reason", v.reason());
        }
        return ApiResponse.json(200, body);
    }
}
