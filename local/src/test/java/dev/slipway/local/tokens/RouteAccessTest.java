package dev.slipway.local.tokens;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.auth.RouteAccess;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every route template.yaml declares has its role in RouteAccess, and RouteAccess names no other route. */
class RouteAccessTest {
    @Test
    void everyTemplateRouteHasItsRoleAndNoRuleIsStale() throws Exception {
        SamTemplate template = SamTemplate.read(EmbeddedEngines.repoRoot().resolve("template.yaml"));
        Set<String> routes = template.routes().stream().map(r -> r.method() + " " + r.path()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(routes);
        missing.removeAll(RouteAccess.table().keySet());
        assertEquals(Set.of(), missing, "routes of template.yaml without a rule in RouteAccess");
        Set<String> stale = new TreeSet<>(RouteAccess.table().keySet());
        stale.removeAll(routes);
        assertEquals(Set.of(), stale, "rules in RouteAccess for routes template.yaml does not declare");
    }
}
