package dev.slipway.functions.data;

import dev.slipway.shared.data.move.DatabaseMoves;
import dev.slipway.shared.data.move.DatabaseSwitch;
import dev.slipway.shared.deploy.DeployService;
import dev.slipway.shared.deploy.FailedDeployments;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.env.AppEnvironment;
import dev.slipway.shared.env.EnvironmentService;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.data.DataRecords;
import dev.slipway.shared.data.backup.BackupEngine;
import dev.slipway.shared.data.backup.BackupKeys;
import dev.slipway.shared.data.backup.Backups;
import dev.slipway.shared.data.postgres.ScratchServers;
import dev.slipway.shared.data.postgres.PostgresServer;
import dev.slipway.shared.data.postgres.StackDatabase;
import dev.slipway.shared.json.Json;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import dev.slipway.shared.data.link.DatabaseLinks;
import dev.slipway.shared.data.link.DatabaseSecrets;
import dev.slipway.shared.data.postgres.DatabaseAccess;
import dev.slipway.shared.data.migrate.MigrationStep;
import dev.slipway.shared.data.migrate.TargetDatabases;
import dev.slipway.shared.data.preview.PreviewDatabases;
import dev.slipway.shared.deploy.CommitSource;
import dev.slipway.shared.deploy.model.DeployTarget;
import dev.slipway.shared.deploy.store.DeployStores;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.deploy.store.dynamodb.DynamoDbDeployStores;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.GitTable;
import dev.slipway.shared.wiring.FunctionServices;
import dev.slipway.shared.wiring.Once;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.time.Duration;

/**
 * The data jar's composition root: the stores and services of the database routes and the data
 * workflow's steps, each built once per handler instance and only when a handler asks for it.
 */
final class DataFunctionServices extends FunctionServices {
    private final Once<DataRecords> records = new Once<>();
    private final Once<DatabaseLinks> links = new Once<>();
    private final Once<Backups> backups = new Once<>();
    private final Once<SfnClient> sfn = new Once<>();

    DataFunctionServices(Config config) {
        super(config);
    }

    DataRecords records() {
        return records.get(() -> new DataRecords(aws().dynamoDbEnhanced(), config().require(EnvNames.DATA_TABLE), ledger()));
    }

    /** Hosts must be public, except loopback when running locally (slipway up), and the stack's own database. */
    DatabaseAccess access() {
        return new DatabaseAccess(config().isLocal(), StackDatabase.from(config()).map(StackDatabase::host).orElse(null));
    }

    DatabaseLinks links() {
        return links.get(() -> {
            DatabaseSecrets secrets = config().get(EnvNames.DATABASE_SECRETS_LOCAL_DIR)
                    .map(dir -> DatabaseSecrets.local(Path.of(dir)))
                    .orElseGet(() -> DatabaseSecrets.ssm(aws().ssm(), config().require(EnvNames.DATABASE_SECRETS_PARAMETER_PREFIX)));
            return new DatabaseLinks(apps(), records(), secrets, access(), clock());
        });
    }

    /** Backups, restores and their schedule; the work runs in the data workflow. */
    Backups backups() {
        return backups.get(() -> {
            String bucket = config().require(EnvNames.ARTIFACTS_BUCKET);
            BackupEngine engine = new BackupEngine(s3(), bucket, new BackupKeys(links().secrets()), clock());
            return new Backups(apps(), records(), links(), engine, S3Clients.presigner(aws()), bucket, this::scratchServer,
                    this::startWorkflow, backupLease(), clock());
        });
    }

    /** How long a RUNNING backup may go without a sign of life before the schedule fails it as abandoned. */
    Duration backupLease() {
        return Duration.ofSeconds(config().get(EnvNames.BACKUP_LEASE_SECONDS).map(Long::parseLong).orElse(1200L));
    }

    /** Where verify restores go: locally the runtime's Postgres; in AWS the server whose URL the stack's SSM parameter holds. */
    private PostgresServer scratchServer() {
        return ScratchServers.from(config(), aws()::ssm);
    }

    private void startWorkflow(String name, ObjectNode input) {
        try {
            sfn.get(() -> aws().configure(SfnClient.builder(), "SFN").build()).startExecution(r -> r
                    .stateMachineArn(config().require(EnvNames.DATA_STATE_MACHINE_ARN)).name(name).input(Json.write(input)));
        } catch (ExecutionAlreadyExistsException started) {
            // a retried request: the job runs once
        }
    }

    // ---- the deploy workflow's ApplyMigrations step (data.migrate)
    private final Once<DeployStores> deployStores = new Once<>();
    private final Once<CommitSource> commits = new Once<>();
    private final Once<MigrationStep> migrationStep = new Once<>();

    private DeployStores deployStores() {
        return deployStores.get(() -> DynamoDbDeployStores.of(aws().dynamoDbEnhanced(), config().require(EnvNames.RELEASES_TABLE), ledger()));
    }

    private CommitSource commits() {
        return commits.get(() -> new CommitSource(new GitStore(s3(), config().require(EnvNames.ARTIFACTS_BUCKET),
                new GitTable(aws().dynamoDbEnhanced(), config().require(EnvNames.GIT_TABLE)))));
    }

    /** Production's database is the app's linked one (a preview's is its own: {@link #previewDatabases()}). */
    private TargetDatabases productionDatabase() {
        return (appId, target) -> target != DeployTarget.PRODUCTION ? Optional.empty() : links().find(appId).map(link ->
                new TargetDatabases.Database() {
                    @Override
                    public String describe() {
                        return "the linked database (" + link.host() + "/" + link.database() + ")";
                    }

                    @Override
                    public Connection connect() throws SQLException {
                        try {
                            return links().connect(appId);
                        } catch (DomainException e) {
                            // unreachable (or unlinked since): a connection failure, retried by the workflow
                            throw new SQLException(e.detail(), "08001", e);
                        }
                    }
                });
    }

    MigrationStep migrationStep() {
        return migrationStep.get(() -> new MigrationStep(deployStores().deployments(), commits(), previewDatabases(), clock()));
    }

    // ---- preview databases (data.preview): the policy route, ApplyMigrations' target databases, the drop
    private final Once<PreviewDatabases> previewDatabases = new Once<>();

    /** Where every deployment's migrations go: production's linked database, a preview's own (made on its first deploy). */
    PreviewDatabases previewDatabases() {
        return previewDatabases.get(() -> new PreviewDatabases(apps(), records(), links(), this::scratchServer, this::backups,
                AppEnvironment.from(aws()), deployStores().previews(), productionDatabase(), clock()));
    }

    // ---- the move and the switch (data.move)
    private final Once<DatabaseMoves> moves = new Once<>();
    private final Once<DatabaseSwitch> databaseSwitch = new Once<>();

    DatabaseMoves moves() {
        return moves.get(() -> new DatabaseMoves(apps(), records(), links(), this::startWorkflow, this::commits,
                StackDatabase.from(config()), clock()));
    }

    /** The switch changes the app's environment (audited) and deploys main, as the environment and deployments APIs do. */
    DatabaseSwitch databaseSwitch() {
        return databaseSwitch.get(() -> {
            AppEnvironment environment = AppEnvironment.from(aws());
            ReleaseFiles files = new ReleaseFiles(s3(), config().require(EnvNames.ARTIFACTS_BUCKET));
            DeployService deploys = new DeployService(apps(), deployStores(), files, commits(), new FailedDeployments(deployStores(), files, clock()),
                    sfn.get(() -> aws().configure(SfnClient.builder(), "SFN").build()), config().require(EnvNames.DEPLOY_STATE_MACHINE_ARN), clock());
            return new DatabaseSwitch(apps(), moves(), links(), new EnvironmentService(apps(), environment, aws().dynamoDbEnhanced(), ledger(), clock()),
                    deploys);
        });
    }
}
