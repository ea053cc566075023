package dev.slipway.shared.imports.detect;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.imports.findings.Finding;

import java.util.List;

/**
 * What {@link FrameworkDetector} concluded about an imported tree.
 *
 * @param framework one of {@code lovable}, {@code bolt}, {@code vite}, {@code create-react-app},
 *                  {@code nextjs-static}, {@code nextjs}, {@code static}, {@code unknown}
 * @param build     detected build settings; fields are null where nothing applies or nothing was found
 * @param findings  reasons the app may not build or be served as detected (never null)
 */
public record Detection(String framework, BuildSettings build, List<Finding> findings) {
    public Detection {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }
}
