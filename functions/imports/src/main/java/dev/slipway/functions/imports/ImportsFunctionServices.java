package dev.slipway.functions.imports;

import dev.slipway.shared.deploy.LockfileCommit;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.git.CommitHistory;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.imports.UploadService;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.wiring.FunctionServices;
import dev.slipway.shared.wiring.Once;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The imports jar's composition root: the configuration, AWS clients, stores and services its
 * handlers use, each built once per handler instance (one per Lambda container) and only when a
 * handler asks for it. Each handler takes what it needs in its constructor, so a missing variable
 * still fails the container's start rather than a request; the read-only commits function never
 * builds the import pipeline.
 */
final class ImportsFunctionServices extends FunctionServices {
    private final Once<GitStore> git = new Once<>();
    private final Once<UploadService> uploads = new Once<>();
    private final Once<ImportService> imports = new Once<>();
    private final Once<CommitHistory> history = new Once<>();
    private final Once<LockfileCommit> lockfileCommit = new Once<>();

    ImportsFunctionServices(Config config) {
        super(config);
    }

    private GitStore git() {
        return git.get(() -> new GitStore(s3(), config().require(EnvNames.ARTIFACTS_BUCKET),
                new GitTable(aws().dynamoDbEnhanced(), config().require(EnvNames.GIT_TABLE))));
    }

    UploadService uploads() {
        return uploads.get(() -> new UploadService(s3(), S3Clients.presigner(aws()), config().require(EnvNames.ARTIFACTS_BUCKET),
                config().get(EnvNames.UPLOAD_MAX_BYTES).map(Long::parseLong).orElse(UploadService.DEFAULT_MAX_BYTES),
                clock()));
    }

    ImportService imports() {
        return imports.get(() -> {
            ImportLimits limits = importLimits();
            return new ImportService(appStore(), git(), AppEnvironment.from(aws()), uploads(), GitUrlImport.standard(limits,
                    GitUrlImport.ports(config().get(EnvNames.GIT_URL_ALLOWED_PORTS).orElse(null))), clock(),
                    importTempParent(), limits, config().get(EnvNames.NPM_REGISTRY_URL).orElse(null));
        });
    }

    /** Commits a deployment's lockfile: this function alone writes git, so the route is here. */
    LockfileCommit lockfileCommit() {
        return lockfileCommit.get(() -> new LockfileCommit(
                DynamoDbDeployStores.of(aws().dynamoDbEnhanced(), config().require(EnvNames.RELEASES_TABLE), ledger()).deployments(),
                git(), s3(), config().require(EnvNames.ARTIFACTS_BUCKET), ledger(), aws().dynamoDbEnhanced(), clock()));
    }

    CommitHistory history() {
        return history.get(() -> new CommitHistory(git()));
    }

    /** The defaults, unless the function's variables lower (or raise) them. */
    private ImportLimits importLimits() {
        ImportLimits d = ImportLimits.DEFAULT;
        return new ImportLimits(
                config().get(EnvNames.IMPORT_MAX_ENTRIES).map(Integer::parseInt).orElse(d.maxEntries()),
                config().get(EnvNames.IMPORT_MAX_TOTAL_BYTES).map(Long::parseLong).orElse(d.maxTotalBytes()),
                config().get(EnvNames.IMPORT_MAX_FILE_BYTES).map(Long::parseLong).orElse(d.maxFileBytes()),
                d.maxPathChars());
    }

    /** Where imports unpack: Lambda's /tmp unless the local runtime names a folder of its own. */
    private Path importTempParent() {
        Path p = Path.of(config().get(EnvNames.IMPORT_TEMP_DIR).orElse(System.getProperty("java.io.tmpdir")));
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
