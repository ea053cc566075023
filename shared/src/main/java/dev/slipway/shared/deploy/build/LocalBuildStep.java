package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.SitePath;
import dev.slipway.shared.deploy.StepFailedException;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The deploy state machine's Build state on a laptop: what the CodeBuild project's buildspec does,
 * as a local process. Takes the same parameters the ASL passes to {@code codebuild:startBuild.sync}
 * (source zip location, SLIPWAY_* variables, read into a {@link BuildRequest}) and reports like it
 * ({@link BuildReport}, which the local runtime answers as CodeBuild's {@code Build}); a
 * failed build is an exception whose message is the reason, so the state's Catch sees it.
 */
public final class LocalBuildStep {
    private final S3Client s3;
    private final AppEnvironment environment;
    private final LocalBuildRunner runner;
    private final Path workRoot;

    public LocalBuildStep(S3Client s3, AppEnvironment environment, Path workRoot, LocalBuildRunner runner) {
        this.s3 = s3;
        this.environment = environment;
        this.workRoot = workRoot;
        this.runner = runner;
    }

    public BuildReport run(BuildRequest request) throws IOException {
        Map<String, String> vars = request.variables();
        String location = request.sourceLocation();
        int slash = location.indexOf('/');
        if (slash <= 0) {
            throw new StepFailedException("bad source location " + location);
        }
        String bucket = location.substring(0, slash);
        String deploymentId = require(vars, "SLIPWAY_DEPLOYMENT_ID");
        String appId = require(vars, "SLIPWAY_APP_ID");
        EnvScope scope;
        try {
            scope = DeployTarget.parse(require(vars, "SLIPWAY_TARGET")).scope(); // a preview never sees production-only values
        } catch (IllegalArgumentException e) {
            throw new StepFailedException(e.getMessage());
        }
        BuildSettings settings = Json.MAPPER.readValue(vars.getOrDefault("SLIPWAY_BUILD_SETTINGS", "{}"), BuildSettings.class);

        Path work = workRoot.resolve(deploymentId);
        ImportTree.deleteTree(work);
        Files.createDirectories(work);
        Path source = work.resolve("src");
        Path log = work.resolve("build.log");
        try {
            try (InputStream zip = s3.getObject(r -> r.bucket(bucket).key(location.substring(slash + 1)))) {
                unzip(zip, source);
            }
            BuildOutcome outcome = runner.build(new BuildJob(source, settings, environment.values(appId, scope), log,
                    appId + "/" + scope.id()));
            if (Files.exists(log)) {
                s3.putObject(r -> r.bucket(vars.get("SLIPWAY_BUCKET")).key(require(vars, "SLIPWAY_LOG_KEY"))
                        .contentType("text/plain; charset=utf-8"), RequestBody.fromFile(log));
            }
            if (!outcome.succeeded()) {
                throw new StepFailedException(outcome.failureReason());
            }
            Path zipFile = work.resolve("output.zip");
            zipFolder(outcome.outputDir(), zipFile);
            s3.putObject(r -> r.bucket(vars.get("SLIPWAY_BUCKET")).key(require(vars, "SLIPWAY_OUTPUT_KEY"))
                    .contentType("application/zip"), RequestBody.fromFile(zipFile));
            return new BuildReport("local:" + deploymentId, outcome.dependencyCacheHit(), outcome.installMillis(), outcome.buildMillis());
        } finally {
            ImportTree.deleteTree(work);
        }
    }

    private static String require(Map<String, String> vars, String name) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            throw new StepFailedException("the build was started without " + name);
        }
        return v;
    }

    /** The source zip is ours (exported from git), but its paths are still checked before use. */
    static void unzip(InputStream in, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                Path target = dir.resolve(SitePath.check(e.getName())).normalize();
                if (!target.startsWith(dir)) {
                    throw new StepFailedException("source path escapes the work folder: " + e.getName());
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target);
            }
        }
    }

    static void zipFolder(Path dir, Path zipFile) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zipFile); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Path f : files) {
                zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }
}
