package dev.slipway.functions.imports;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.git.CommitHistory;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.idempotency.IdempotencyStore;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.imports.ImportService;
import dev.slipway.shared.imports.UploadService;
import dev.slipway.shared.imports.tree.ImportLimits;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The imports jar's composition root: the configuration, AWS clients, stores and services its
 * handlers use, each built once per handler instance (one per Lambda container) and only when a
 * handler asks for it. Each handler takes what it needs in its constructor, so a missing variable
 * still fails the container's start rather than a request; the read-only commits function never
 * builds the import pipeline.
 */
final class ImportsFunctionServices {
    private final Config config;
    private final AwsClients aws;
    private final Clock clock = Clock.systemUTC();
    private AdminAuth adminAuth;
    private IdempotencyStore idempotency;
    private AppStore appStore;
    private AppService apps;
    private S3Client s3;
    private GitStore git;
    private UploadService uploads;
    private ImportService imports;
    private CommitHistory history;

    ImportsFunctionServices(Config config) {
        this.config = config;
        this.aws = new AwsClients(config);
    }

    private synchronized AppStore appStore() {
        if (appStore == null) {
            AuditLedger ledger = new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE));
            appStore = new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger);
        }
        return appStore;
    }

    synchronized AppService apps() {
        if (apps == null) {
            apps = new AppService(appStore(), clock);
        }
        return apps;
    }

    private synchronized S3Client s3() {
        if (s3 == null) {
            s3 = S3Clients.client(aws);
        }
        return s3;
    }

    private synchronized GitStore git() {
        if (git == null) {
            git = new GitStore(s3(), config.require(EnvNames.ARTIFACTS_BUCKET),
                    new GitTable(aws.dynamoDbEnhanced(), config.require(EnvNames.GIT_TABLE)));
        }
        return git;
    }

    synchronized UploadService uploads() {
        if (uploads == null) {
            uploads = new UploadService(s3(), S3Clients.presigner(aws), config.require(EnvNames.ARTIFACTS_BUCKET),
                    config.get(EnvNames.UPLOAD_MAX_BYTES).map(Long::parseLong).orElse(UploadService.DEFAULT_MAX_BYTES),
                    clock);
        }
        return uploads;
    }

    synchronized ImportService imports() {
        if (imports == null) {
            ImportLimits limits = importLimits();
            imports = new ImportService(appStore(), git(), AppEnvironment.from(aws), uploads(), GitUrlImport.standard(limits), clock,
                    importTempParent(), limits);
        }
        return imports;
    }

    synchronized CommitHistory history() {
        if (history == null) {
            history = new CommitHistory(git());
        }
        return history;
    }

    /** The admin token check every route of this jar applies. */
    synchronized AdminAuth adminAuth() {
        if (adminAuth == null) {
            adminAuth = new AdminAuth(AdminTokenHashSource.from(config, aws::ssm));
        }
        return adminAuth;
    }

    synchronized IdempotencyStore idempotency() {
        if (idempotency == null) {
            idempotency = DynamoDbIdempotencyStore.from(config, aws);
        }
        return idempotency;
    }

    /** The defaults, unless the function's variables lower (or raise) them. */
    private ImportLimits importLimits() {
        ImportLimits d = ImportLimits.DEFAULT;
        return new ImportLimits(
                config.get(EnvNames.IMPORT_MAX_ENTRIES).map(Integer::parseInt).orElse(d.maxEntries()),
                config.get(EnvNames.IMPORT_MAX_TOTAL_BYTES).map(Long::parseLong).orElse(d.maxTotalBytes()),
                config.get(EnvNames.IMPORT_MAX_FILE_BYTES).map(Long::parseLong).orElse(d.maxFileBytes()),
                d.maxPathChars());
    }

    /** Where imports unpack: Lambda's /tmp unless the local runtime names a folder of its own. */
    private Path importTempParent() {
        Path p = Path.of(config.get(EnvNames.IMPORT_TEMP_DIR).orElse(System.getProperty("java.io.tmpdir")));
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
