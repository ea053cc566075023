package dev.slipway.functions.data;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.move.DatabaseMoves;
import dev.slipway.shared.data.move.DatabaseSwitch;
import dev.slipway.shared.data.move.MoveRequest;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.http.ApiResponse;
import dev.slipway.shared.http.ApiRouter;

import java.util.Map;

/**
 * POST /apps/{appId}/database/move (202: a move job of the data workflow), GET …/database/moves/{moveId}, and
 * POST …/database/switch (the app onto a verified move's target, then a deployment of main).
 */
public final class MovesHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DatabaseMoves moves;
    private final DatabaseSwitch switcher;
    private final ApiRouter router;

    public MovesHandler() {
        this(new DataFunctionServices(Config.fromEnvironment()));
    }

    public MovesHandler(Map<String, String> environment) {
        this(new DataFunctionServices(Config.of(environment)));
    }

    private MovesHandler(DataFunctionServices services) {
        this.moves = services.moves();
        this.switcher = services.databaseSwitch();
        this.router = ApiRouter.authenticated(services.authenticator())
                .idempotency(services.idempotency())
                .route("POST /apps/{appId}/database/move", this::start)
                .route("GET /apps/{appId}/database/moves/{moveId}", this::get)
                .route("POST /apps/{appId}/database/switch", this::switchTo)
                .build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return router.handle(event, context);
    }

    private APIGatewayV2HTTPResponse start(ApiRequest request) {
        String app = request.pathParameter("appId").orElse("");
        return ApiResponse.json(202, moves.start(app, MoveRequest.fromJson(request.jsonObject()), request.actor()));
    }

    private APIGatewayV2HTTPResponse switchTo(ApiRequest request) {
        String app = request.pathParameter("appId").orElse("");
        return ApiResponse.json(200, switcher.run(app, DatabaseSwitch.SwitchRequest.fromJson(request.jsonObject()), request.actor()));
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request) {
        return ApiResponse.json(200, moves.get(request.pathParameter("appId").orElse(""), request.pathParameter("moveId").orElse("")));
    }
}
