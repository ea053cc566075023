package dev.slipway.functions.deploy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.auth.GitAccess;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.gitserver.GitExports;
import dev.slipway.shared.gitserver.GitSmartHttp;
import dev.slipway.shared.gitserver.GitSettings;
import dev.slipway.shared.gitserver.GitSettingsStore;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.http.ProblemTable;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Git over HTTPS at {@code /git/{app}.git} (smart HTTP: info/refs, git-upload-pack,
 * git-receive-pack), the bundle for large clones, and {@code GET /apps/{appId}/archive/{ref}.zip|.tar.gz}.
 * Git authenticates with HTTP Basic (the token as the password); {@link GitAccess} decides.
 */
public final class GitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final GitSmartHttp smartHttp;
    private final GitExports exports;
    private final GitAccess access;
    private final AppService apps;
    private final GitSettingsStore settings;
    private final DeployFunctionServices services;
    private final ApiRouter router;

    public GitHandler() {
        this(new DeployFunctionServices(Config.fromEnvironment()));
    }

    public GitHandler(Map<String, String> environment) {
        this(new DeployFunctionServices(Config.of(environment)));
    }

    private GitHandler(DeployFunctionServices services) {
        this.smartHttp = services.smartHttp();
        this.exports = services.exports();
        this.access = services.gitAccess();
        this.apps = services.apps();
        this.settings = services.gitSettings();
        this.services = services;
        // Open: every route asks GitAccess itself, so a 401 can say Basic (git asks for credentials then).
        this.router = ApiRouter.open()
                .idempotency(services.idempotency())
                .route("GET /git/{repo}/info/refs", r -> guarded(r, this::infoRefs))
                .route("POST /git/{repo}/git-upload-pack", r -> guarded(r, this::uploadPack))
                .route("POST /git/{repo}/git-receive-pack", r -> guarded(r, this::receivePack))
                .route("GET /git/{repo}/bundle", r -> guarded(r, this::bundle))
                .route("GET /apps/{appId}/archive/{file+}", r -> guarded(r, this::archive))
                .route("GET /apps/{appId}/git", r -> guarded(r, this::getSettings))
                .route("PUT /apps/{appId}/git", r -> guarded(r, this::putSettings))
                .route("GET /apps/{appId}/mirror", r -> guarded(r, (q, g) -> ApiResponse.json(200, services.mirrors().view(requireApp(q, "appId")))))
                .route("PUT /apps/{appId}/mirror", r -> guarded(r, (q, g) -> ApiResponse.json(200,
                        services.mirrors().configure(requireApp(q, "appId"), q.jsonObject(), q.actor()))))
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    @FunctionalInterface
    private interface GitRoute {
        APIGatewayV2HTTPResponse handle(ApiRequest request, GitAccess.Grant grant);
    }

    private APIGatewayV2HTTPResponse guarded(ApiRequest request, GitRoute route) {
        GitAccess.Grant grant;
        try {
            String app = request.pathParameter("repo").map(GitSmartHttp::appOf).orElse(request.pathParameter("appId").orElse(null));
            grant = access.decide(request.routeKey(), app, request.header("authorization").orElse(null), request.sourceIp());
            request.authenticatedAs(grant.principal());
        } catch (DomainException e) {
            if (e.error() != DomainError.UNAUTHORIZED) {
                throw e;
            }
            APIGatewayV2HTTPResponse r = ApiResponse.problem(ProblemTable.problem(e), request.path(), request.requestId());
            r.getHeaders().put("www-authenticate", "Basic realm=\"slipway\", charset=\"UTF-8\"");
            return r;
        }
        return route.handle(request, grant);
    }

    private String requireApp(ApiRequest request, String parameter) {
        String segment = request.pathParameter(parameter).orElse("");
        return apps.get(parameter.equals("repo") ? GitSmartHttp.appOf(segment) : segment).id();
    }

    private APIGatewayV2HTTPResponse infoRefs(ApiRequest request, GitAccess.Grant grant) {
        String appId = requireApp(request, "repo");
        return binary(smartHttp.infoRefs(appId, request.queryParameter("service").orElse(""),
                request.header("git-protocol").orElse(null), grant));
    }

    private APIGatewayV2HTTPResponse uploadPack(ApiRequest request, GitAccess.Grant grant) {
        String appId = requireApp(request, "repo");
        return binary(smartHttp.uploadPack(appId, request.bodyBytes(), request.header("content-encoding").orElse(null),
                request.header("git-protocol").orElse(null)));
    }

    private APIGatewayV2HTTPResponse receivePack(ApiRequest request, GitAccess.Grant grant) {
        String appId = requireApp(request, "repo");
        Actor actor = request.actor();
        GitSettings rules = settings.get(appId);
        return binary(smartHttp.receivePack(appId, request.bodyBytes(), request.header("content-encoding").orElse(null),
                grant, actor, rules, moved -> services.pushDeploys().after(appId, rules, moved, actor)));
    }

    private APIGatewayV2HTTPResponse bundle(ApiRequest request, GitAccess.Grant grant) {
        return redirect(exports.bundle(requireApp(request, "repo")));
    }

    private APIGatewayV2HTTPResponse archive(ApiRequest request, GitAccess.Grant grant) {
        String appId = requireApp(request, "appId");
        GitExports.Export e = exports.archive(appId, request.pathParameter("file").orElse(""));
        if (e.url() != null) {
            return redirect(e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", e.contentType());
        headers.put("content-disposition", "attachment; filename=\"" + e.fileName() + "\"");
        headers.put("cache-control", "no-store");
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(headers)
                .withBody(Base64.getEncoder().encodeToString(e.bytes())).withIsBase64Encoded(true).build();
    }

    private APIGatewayV2HTTPResponse getSettings(ApiRequest request, GitAccess.Grant grant) {
        return ApiResponse.json(200, settings.get(requireApp(request, "appId")).toJson());
    }

    /** PUT {deployOnPush?, allowMainRewrite?}: what a push may do and deploys; audited. */
    private APIGatewayV2HTTPResponse putSettings(ApiRequest request, GitAccess.Grant grant) {
        String appId = requireApp(request, "appId");
        GitSettings next = GitSettings.fromJson(request.jsonObject(), settings.get(appId));
        return ApiResponse.json(200, settings.put(appId, next, request.actor()).toJson());
    }

    /** 303 to the presigned URL, which the JSON body repeats for scripts. */
    private static APIGatewayV2HTTPResponse redirect(GitExports.Export e) {
        return ApiResponse.json(303, Map.of("url", e.url(), "fileName", e.fileName(),
                "expiresInSeconds", GitExports.URL_TTL.toSeconds()), Map.of("location", e.url(), "cache-control", "no-store"));
    }

    private static APIGatewayV2HTTPResponse binary(GitSmartHttp.Response r) {
        Map<String, String> headers = new LinkedHashMap<>(GitSmartHttp.noCache());
        headers.put("content-type", r.contentType());
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status()).withHeaders(headers)
                .withBody(Base64.getEncoder().encodeToString(r.body())).withIsBase64Encoded(true).build();
    }
}
