package dev.slipway.shared.data.move;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.AppId;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.data.link.DatabaseLink;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.link.LinkRequest;
import dev.slipway.shared.data.postgres.DatabaseUrl;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.NewDeployment;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.model.Deployment;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.EnvironmentChange;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /apps/{appId}/database/switch}: the app moves onto a verified move's target, as its own audited step
 * after the move: the link points at the target (connection check, {@code database.relinked}), the app's runtime
 * variable (e.g. {@code DATABASE_URL}, production scope) gets the target's URL ({@code environment.changed}), the
 * main is deployed to production so its server runs with the new value (a new value is a new build key: the release is
 * built again), and the move is marked switched ({@code database.move.switched}, with the deployment). The steps are
 * not one transaction; each is audited and safe to repeat, so a retried switch finishes what a failed one left.
 */
public final class DatabaseSwitch {
    /** {@code moveId} (a SUCCEEDED move) and {@code variable}: the app variable that carries its database URL, if any. */
    public record SwitchRequest(String moveId, String variable) {
        static final Set<String> FIELDS = Set.of("moveId", "variable");

        public static SwitchRequest fromJson(ObjectNode body) {
            JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
            String moveId = in.string("moveId").orElse(null);
            if (moveId == null || !moveId.matches("[0-9A-Za-z]{26}")) {
                in.error("moveId", "is required: the id of a SUCCEEDED move");
            }
            String variable = in.string("variable").orElse(null);
            if (variable != null && !EnvironmentService.NAME.matcher(variable).matches()) {
                in.error("variable", "must be a variable name like DATABASE_URL");
            }
            in.throwIfInvalid();
            return new SwitchRequest(moveId, variable);
        }
    }

    private final AppService apps;
    private final DatabaseMoves moves;
    private final DatabaseLinks links;
    private final EnvironmentService environment;
    private final DeployService deploys;

    public DatabaseSwitch(AppService apps, DatabaseMoves moves, DatabaseLinks links, EnvironmentService environment, DeployService deploys) {
        this.apps = apps;
        this.moves = moves;
        this.links = links;
        this.environment = environment;
        this.deploys = deploys;
    }

    public ObjectNode run(String appId, SwitchRequest request, Actor actor) {
        apps.get(AppId.require(appId));
        DatabaseUrl target = moves.verifiedTarget(appId, request.moveId());
        String kind = links.find(appId).map(DatabaseLink::kind).filter(k -> !k.equals("supabase")).orElse("postgres");
        DatabaseLink link = links.link(appId, new LinkRequest(target, kind), actor);
        if (request.variable() != null) {
            environment.change(appId, new EnvironmentChange(Map.of(request.variable(),
                    new AppEnvironment.Entry(target.secret(), Set.of(EnvScope.PRODUCTION))), List.of()), actor);
        }
        Deployment d = null;
        try {
            d = deploys.start(appId, new NewDeployment(null, DeployTarget.PRODUCTION, null), actor);
        } catch (DomainException e) {
            if (e.error() != DomainError.NOTHING_TO_DEPLOY) {
                throw e;
            }
            // no commit on main yet: nothing runs that could read the variable
        }
        // Last: until the move is marked switched, a retry (the steps are not one transaction) does the steps again,
        // each of them safe to repeat (the same link, the same value, one more deployment of main); after it, a retry
        // is refused naming the deployment.
        moves.switched(appId, request.moveId(), actor, d == null ? null : d.id());
        ObjectNode out = Json.object();
        out.put("moveId", request.moveId());
        out.set("database", link.view());
        if (request.variable() != null) {
            out.put("variable", request.variable());
        }
        if (d != null) {
            out.put("deploymentId", d.id());
            out.put("deployment", "/apps/" + appId + "/deployments/" + d.id());
        }
        return out;
    }
}
