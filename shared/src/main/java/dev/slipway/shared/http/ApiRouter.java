package dev.slipway.shared.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.idempotency.IdempotencyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dispatches an HTTP API event by its route key ("POST /apps/{appId}") to a route, after the
 * admin check, and turns every failure into an RFC 9457 problem. Handlers only declare routes.
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
    private final AdminAuth auth;
    private final Idempotency idempotency;

    private ApiRouter(Map<String, Route> routes, AdminAuth auth, Idempotency idempotency) {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.idempotency = idempotency;
    }

    /** Routes behind the admin token. */
    public static Builder authenticated(AdminAuth auth) {
        return new Builder(auth);
    }

    /** Routes anyone may call (only /health). */
    public static Builder open() {
        return new Builder(null);
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
            String caller = auth != null ? auth.require(request.header("authorization").orElse(null)) : "anonymous";
            if (Idempotency.applies(event.getRouteKey())) {
                response = idempotency.run(request, caller, () -> invoke(route, request));
            } else {
                response = invoke(route, request);
            }
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
        private final AdminAuth auth;
        private Idempotency idempotency;

        private Builder(AdminAuth auth) {
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
