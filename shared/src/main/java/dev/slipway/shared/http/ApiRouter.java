package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.auth.Authenticator;
import dev.slipway.shared.auth.FailedAuthLimit;
import dev.slipway.shared.auth.Principal;
import dev.slipway.shared.auth.RouteAccess;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.idempotency.IdempotencyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dispatches an HTTP API event by its route key ("POST /apps/{appId}") to a route, after the
 * caller's token is checked against the route's rule in {@link RouteAccess} (401 who, 403 what), and
 * turns every failure into an RFC 9457 problem. Handlers only declare routes; a route without a rule
 * in {@link RouteAccess} cannot be declared.
 * Every POST, PATCH and DELETE route honours {@code Idempotency-Key} ({@link Idempotency}): a router with such a
 * route cannot be built without an idempotency store.
 */
public final class ApiRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

    /** One operation: reads the request, calls the core, returns the response. */
    @FunctionalInterface
    public interface Route {
        APIGatewayV2HTTPResponse handle(ApiRequest request);
    }

    private final Map<String, Route> routes;
    private final Authenticator auth;
    private final Idempotency idempotency;

    private ApiRouter(Map<String, Route> routes, Authenticator auth, Idempotency idempotency) {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.idempotency = idempotency;
    }

    /** Routes behind a token, each with the role {@link RouteAccess} gives it. */
    public static Builder authenticated(Authenticator auth) {
        return new Builder(auth);
    }

    /** Routes that carry their own secret or need none (/health, hook URLs, signed webhooks). */
    public static Builder open() {
        return new Builder(null);
    }

    /** For this package's tests of the router's own behaviour: routes outside {@link RouteAccess}, none checked. */
    static Builder openForTests() {
        Builder b = new Builder(null);
        b.outsideRouteAccess = true;
        return b;
    }

    public Map<String, Route> routes() {
        return routes;
    }

    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Context context) {
        long start = System.nanoTime();
        ApiRequest request = new ApiRequest(event, context);
        APIGatewayV2HTTPResponse response;
        try {
            Route route = routes.get(event.getRouteKey());
            if (route == null) {
                throw new ProblemException(ProblemType.ROUTE_NOT_FOUND, "No route " + ApiRequest.sanitize(String.valueOf(event.getRouteKey())));
            }
            RouteAccess.Rule rule = RouteAccess.rule(event.getRouteKey()).orElse(RouteAccess.Rule.OWN_SECRET);
            if (rule.routerChecksToken()) {
                Principal principal = auth.authenticate(request.credentials());
                RouteAccess.require(rule, principal, request.pathParameter("appId").orElse(null));
                request.authenticatedAs(principal);
            }
            if (Idempotency.applies(event.getRouteKey())) {
                response = idempotency.run(request, request.principal().callerKey(), () -> invoke(route, request));
            } else {
                response = invoke(route, request);
            }
        } catch (FailedAuthLimit.TooManyFailures t) {
            response = ApiResponse.problem(ProblemTable.problem(t), request.path(), request.requestId());
            response.getHeaders().put("retry-after", Long.toString(t.retryAfterSeconds()));
        } catch (Idempotency.HeaderedProblem p) {
            response = ApiResponse.problem(p.problem, request.path(), request.requestId());
            response.getHeaders().putAll(p.headers);
        } catch (ProblemException p) {
            response = ApiResponse.problem(p, request.path(), request.requestId());
        } catch (DomainException d) {
            response = ApiResponse.problem(ProblemTable.problem(d), request.path(), request.requestId());
        } catch (RuntimeException e) {
            // The cause goes to the log with the request id; the caller gets the id, not the details.
            LOG.error("request {} {} failed", request.requestId(), event.getRouteKey(), e);
            response = ApiResponse.problem(new ProblemException(ProblemType.INTERNAL_ERROR,
                    "Quote request id " + request.requestId() + " when reporting this"), request.path(), request.requestId());
        }
        if (LOG.isInfoEnabled()) {
            LOG.info("{} {} -> {} in {} ms (request {})", event.getRouteKey(), ApiRequest.sanitize(String.valueOf(request.path())),
                    response.getStatusCode(), (System.nanoTime() - start) / 1_000_000, request.requestId());
        }
        return response;
    }

    /** The route's answer, failures included (a 5xx here is what idempotency does not keep). */
    private static APIGatewayV2HTTPResponse invoke(Route route, ApiRequest request) {
        try {
            return route.handle(request);
        } catch (FailedAuthLimit.TooManyFailures t) {
            APIGatewayV2HTTPResponse r = ApiResponse.problem(ProblemTable.problem(t), request.path(), request.requestId());
            r.getHeaders().put("retry-after", Long.toString(t.retryAfterSeconds()));
            return r;
        } catch (ProblemException p) {
            return ApiResponse.problem(p, request.path(), request.requestId());
        } catch (DomainException d) {
            return ApiResponse.problem(ProblemTable.problem(d), request.path(), request.requestId());
        } catch (RuntimeException e) {
            LOG.error("request {} {} failed", request.requestId(), request.routeKey(), e);
            return ApiResponse.problem(new ProblemException(ProblemType.INTERNAL_ERROR,
                    "Quote request id " + request.requestId() + " when reporting this"), request.path(), request.requestId());
        }
    }

    public static final class Builder {
        private final Map<String, Route> routes = new LinkedHashMap<>();
        private final Authenticator auth;
        private Idempotency idempotency;
        private boolean outsideRouteAccess;

        private Builder(Authenticator auth) {
            this.auth = auth;
        }

        /** Where POST routes keep their Idempotency-Key records (required when there is a POST route). */
        public Builder idempotency(IdempotencyStore store) {
            return idempotency(store, Clock.systemUTC());
        }

        public Builder idempotency(IdempotencyStore store, Clock clock) {
            this.idempotency = new Idempotency(store, clock);
            return this;
        }

        public Builder route(String routeKey, Route route) {
            RouteAccess.Rule rule = RouteAccess.rule(routeKey).or(() -> outsideRouteAccess ? java.util.Optional.of(RouteAccess.Rule.OWN_SECRET)
                    : java.util.Optional.empty()).orElseThrow(() ->
                    new IllegalArgumentException(routeKey + " has no rule in RouteAccess: give it its role there"));
            if (rule.routerChecksToken() && auth == null) {
                throw new IllegalArgumentException(routeKey + " needs a token (" + rule.role() + "): build the router with authenticated(...)");
            }
            if (routes.put(routeKey, route) != null) {
                throw new IllegalArgumentException("route declared twice: " + routeKey);
            }
            return this;
        }

        public ApiRouter build() {
            if (idempotency == null && routes.keySet().stream().anyMatch(Idempotency::applies)) {
                throw new IllegalStateException("mutating (POST/PATCH/DELETE) routes need an idempotency store: call idempotency(...) on the builder");
            }
            return new ApiRouter(routes, auth, idempotency);
        }
    }
}
