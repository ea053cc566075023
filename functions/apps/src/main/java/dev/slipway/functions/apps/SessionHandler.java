package dev.slipway.functions.apps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.auth.Authenticator;
import dev.slipway.shared.auth.Principal;
import dev.slipway.shared.auth.Session;
import dev.slipway.shared.auth.SessionService;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's sign-in: POST /session exchanges a token for a session cookie (HttpOnly, SameSite=Strict,
 * Secure except on the local runtime's plain http) and answers the session's CSRF value; GET /session
 * shows who is signed in (and the CSRF value again, so a reloaded page needs no storage), or that no one is
 * (200, so the console's first look logs no error); DELETE /session
 * signs out (the record is deleted, the cookie cleared).
 */
public final class SessionHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Authenticator auth;
    private final SessionService sessions;
    private final Clock clock;
    private final boolean secureCookie;
    private final ApiRouter router;

    public SessionHandler() {
        this(new AppsFunctionServices(Config.fromEnvironment()));
    }

    public SessionHandler(Map<String, String> environment) {
        this(new AppsFunctionServices(Config.of(environment)));
    }

    private SessionHandler(AppsFunctionServices services) {
        this.auth = services.authenticator();
        this.sessions = services.sessions();
        this.clock = services.clock();
        this.secureCookie = !services.config().isLocal();
        // POST and GET /session are open in RouteAccess (the token in the body is POST's secret; GET checks the cookie
        // itself); DELETE needs the session (with its CSRF value) or a token.
        this.router = ApiRouter.authenticated(auth).idempotency(services.idempotency())
                .route("POST /session", this::signIn)
                .route("GET /session", this::show)
                .route("DELETE /session", this::signOut)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse signIn(ApiRequest request) {
        Authenticator.Credentials c = request.credentials();
        if (c.origin() != null && !Authenticator.sameOrigin(c.origin(), c.host())) {
            throw new DomainException(DomainError.CSRF_REJECTED, "Sign in from the console's own origin");
        }
        JsonObjectReader in = JsonObjectReader.of(request.jsonObject(), Set.of("token"));
        String token = in.string("token").orElse(null);
        if (token == null) {
            in.error("token", "is required: a scoped token (slwt_…) or the admin token");
        }
        in.throwIfInvalid();
        // The same check, failed-auth limit included, as a Bearer header.
        Principal principal = auth.authenticate("Bearer " + token, request.sourceIp());
        request.authenticatedAs(principal);
        SessionService.Created created = sessions.signIn(principal, request.actor());
        APIGatewayV2HTTPResponse r = ApiResponse.jsonShownOnce(201, withCsrf(created.session()), Map.of());
        r.setCookies(List.of(cookie(created.cookieValue(), Duration.between(clock.instant(), created.session().expiresAt()).getSeconds())));
        return r;
    }

    /** Who is signed in: the session (and its CSRF value), a Bearer caller's principal, or {@code "signedIn": false}. */
    private APIGatewayV2HTTPResponse show(ApiRequest request) {
        Authenticator.Credentials c = request.credentials();
        if (c.authorization() != null) {
            return ApiResponse.json(200, SessionService.who(auth.authenticate(c)).put("signedIn", true));
        }
        return auth.session(c)
                .map(s -> ApiResponse.json(200, withCsrf(s).put("signedIn", true), Map.of("cache-control", "no-store")))
                .orElseGet(() -> ApiResponse.json(200, Json.object().put("signedIn", false), Map.of("cache-control", "no-store")));
    }

    private APIGatewayV2HTTPResponse signOut(ApiRequest request) {
        String cookie = SessionService.cookieValue(request.cookies());
        if (cookie != null) {
            sessions.signOut(cookie, request.actor());
        }
        APIGatewayV2HTTPResponse r = ApiResponse.json(200, Json.object().put("signedOut", cookie != null));
        r.setCookies(List.of(cookie("", 0)));
        return r;
    }

    private static ObjectNode withCsrf(Session s) {
        ObjectNode n = SessionService.view(s);
        n.put("csrfToken", s.csrfToken());
        return n;
    }

    private String cookie(String value, long maxAgeSeconds) {
        return cookie(value, maxAgeSeconds, secureCookie);
    }

    /** The Set-Cookie value: the page's script never sees it (HttpOnly), no other site sends it (SameSite=Strict). */
    public static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return SessionService.COOKIE + "=" + value + "; Path=/; Max-Age=" + Math.max(0, maxAgeSeconds) + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }
}
