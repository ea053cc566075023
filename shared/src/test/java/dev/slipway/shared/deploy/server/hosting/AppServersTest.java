package dev.slipway.shared.deploy.server.hosting;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The home-page check both hosts use (local edge and Lambda): up is 2xx or a redirect, never an error. */
class AppServersTest {
    @Test
    void aHomePageThatRedirectsToItsLoginIsUp() {
        for (int status : new int[]{200, 204, 301, 302, 303, 307, 308}) {
            assertTrue(AppServers.homePageAnswers(status), String.valueOf(status));
        }
        for (int status : new int[]{101, 199, 400, 401, 403, 404, 500, 502, 503}) {
            assertFalse(AppServers.homePageAnswers(status), String.valueOf(status));
        }
    }
}
