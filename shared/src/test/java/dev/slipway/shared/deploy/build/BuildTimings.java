package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.build.sandbox.Unsandboxed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Cold vs warm build time of the Vite fixture, in the build sandbox and (same run, the baseline) without it.
 * Cold: a fresh cache root (empty npm cache, no dependency cache entry). Warm: the same lockfile again
 * (dependency cache hit: mounted read-only in the sandbox, copied without it). Prints the medians of
 * {@code args[0]} rounds (default 3). Run: {@code mvn -q -o -pl shared test-compile && java -cp shared/target/classes:shared/target/test-classes
 * dev.slipway.shared.deploy.build.BuildTimings 3}.
 */
public final class BuildTimings {
    private BuildTimings() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path root = Files.createTempDirectory("slipway-build-timings");
        Map<String, String> env = Map.of("VITE_GREETING", "hello");
        List<Long> colds = new ArrayList<>();
        List<Long> warms = new ArrayList<>();
        List<Long> plainColds = new ArrayList<>();
        List<Long> plainWarms = new ArrayList<>();
        try {
            for (int i = 0; i < rounds; i++) {
                LocalBuildRunner runner = new LocalBuildRunner(root.resolve("cache" + i), Duration.ofMinutes(5));
                colds.add(timed(runner, root.resolve("cold" + i), env));
                warms.add(timed(runner, root.resolve("warm" + i), env));
                LocalBuildRunner plain = new LocalBuildRunner(root.resolve("plain-cache" + i), Duration.ofMinutes(5), new Unsandboxed());
                plainColds.add(timed(plain, root.resolve("plain-cold" + i), env));
                plainWarms.add(timed(plain, root.resolve("plain-warm" + i), env));
                System.out.printf("round %d: sandboxed cold %d ms, warm %d ms; unsandboxed cold %d ms, warm %d ms%n", i + 1,
                        colds.get(i), warms.get(i), plainColds.get(i), plainWarms.get(i));
            }
        } finally {
            FileTrees.deleteQuietly(root);
        }
        long cold = median(colds);
        long warm = median(warms);
        System.out.printf("cold %d ms, warm %d ms, ratio %.2f (medians of %d, sandboxed: %s)%n", cold, warm,
                (double) warm / cold, rounds, runnerSandbox());
        System.out.printf("sandbox vs none: cold %d / %d ms = %.2f, warm %d / %d ms = %.2f%n", cold, median(plainColds),
                (double) cold / median(plainColds), warm, median(plainWarms), (double) warm / median(plainWarms));
    }

    private static String runnerSandbox() {
        return LocalBuildRunner.defaultSandbox().getClass().getSimpleName();
    }

    private static long timed(LocalBuildRunner runner, Path dir, Map<String, String> env) throws Exception {
        Path source = ViteFixture.copyTo(Files.createDirectories(dir));
        long t = System.nanoTime();
        BuildOutcome out = runner.build(new BuildJob(source, BuildSettings.NONE, env, dir.resolveSibling(dir.getFileName() + ".log")));
        long ms = (System.nanoTime() - t) / 1_000_000;
        if (!out.succeeded()) {
            throw new IllegalStateException(out.failureReason());
        }
        return ms;
    }

    private static long median(List<Long> xs) {
        List<Long> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
