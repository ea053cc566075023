package dev.slipway.shared.deploy.build;

import java.nio.file.Path;

/**
 * What a build came to. A failed build is an outcome, not an exception.
 *
 * @param succeeded          whether install and build ran clean and the output passed its checks
 * @param outputDir          the checked output directory (absolute, inside the source) when succeeded, else null
 * @param failureReason      null when succeeded; else one short paragraph (at most 2 KB, redacted), e.g.
 *                           {@code npm run build exited with status 1} followed by the last log lines
 * @param dependencyCacheHit whether node_modules came from the dependency cache (no install ran)
 * @param lockfileHash       the dependency cache key: sha256 (hex) of the lockfile bytes, the package manager,
 *                           the Node major version, platform and any install-command override; null without lockfile
 * @param installMillis      time spent installing (or restoring from the cache)
 * @param buildMillis        time spent running the build command
 * @param writtenLockfile    the lockfile the install wrote when the source had none (in the source), else null
 */
public record BuildOutcome(boolean succeeded, Path outputDir, String failureReason, boolean dependencyCacheHit,
                           String lockfileHash, long installMillis, long buildMillis, Path writtenLockfile) {

    public BuildOutcome(boolean succeeded, Path outputDir, String failureReason, boolean dependencyCacheHit,
                        String lockfileHash, long installMillis, long buildMillis) {
        this(succeeded, outputDir, failureReason, dependencyCacheHit, lockfileHash, installMillis, buildMillis, null);
    }

    /** Longest {@link #failureReason} ever returned, in characters. */
    public static final int MAX_REASON_CHARS = 2048;
}
