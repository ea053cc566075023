package dev.slipway.local.edge;

import dev.slipway.local.NodeTests;
import org.junit.jupiter.api.Test;

/**
 * The CloudFront Function (functions/edge/viewer-request.js) is JavaScript: its tests run on node's
 * own test runner. This runs them as part of the build, so `mvn verify` covers the AWS edge too
 * (including that template.yaml inlines exactly that file).
 */
class EdgeFunctionTest {
    @Test
    void theViewerRequestFunctionPassesItsNodeTests() throws Exception {
        NodeTests.assertPass("functions/edge/");
    }
}
