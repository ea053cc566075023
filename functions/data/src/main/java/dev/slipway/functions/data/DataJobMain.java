package dev.slipway.functions.data;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A long data job outside Lambda's 15 minutes:
 * {@code java -cp slipway-data.jar dev.slipway.functions.data.DataJobMain <step> <appId> <jobId>}, step one of
 * Backup, Verify, Restore, Move. In AWS the data workflow starts it in CodeBuild ({@code DataJobProject}, whose
 * buildspec fetches DataStepsFunction's own package and environment); under {@code slipway up} the local Step
 * Functions run {@link #run} in-process for that project. The work is DataStepsHandler's, so both paths run the
 * same code. A failing job records its own reason (the workflow's Catch sees only "the build failed") and exits 1.
 */
public final class DataJobMain {
    /** A long step: the input field naming its job, and the step that records its failure. */
    enum Job {
        Backup("backupId", "MarkBackupFailed"),
        Verify("backupId", "MarkBackupFailed"),
        Restore("restoreId", "MarkRestoreFailed"),
        Move("moveId", "MarkMoveFailed");

        final String idField;
        final String failureStep;

        Job(String idField, String failureStep) {
            this.idField = idField;
            this.failureStep = failureStep;
        }
    }

    /** The file with the function's variables, as the buildspec writes it. */
    static final String FUNCTION_ENVIRONMENT = "SLIPWAY_FUNCTION_ENVIRONMENT";

    private DataJobMain() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: DataJobMain Backup|Verify|Restore|Move <appId> <jobId>");
            System.exit(2);
        }
        try {
            run(environment(System.getenv()), args[0], args[1], args[2]);
        } catch (RuntimeException | IOException e) {
            System.err.println("data job " + args[0] + " " + args[1] + "/" + args[2] + " failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0); // the SDK's and pgjdbc's threads would keep the JVM (and the build) alive
    }

    /**
     * The process's variables over those of the function whose package runs ({@value #FUNCTION_ENVIRONMENT} names the
     * file with {@code aws lambda get-function}'s {@code Configuration.Environment.Variables}): CodeBuild's own (region,
     * credentials, the stack database's login) win.
     */
    static Map<String, String> environment(Map<String, String> process) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        String file = process.get(FUNCTION_ENVIRONMENT);
        if (file != null) {
            Json.parse(Files.readString(Path.of(file))).fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        env.putAll(process);
        return env;
    }

    /** Runs one job; its failure is recorded (the job FAILED with the reason) and rethrown. */
    public static void run(Map<String, String> environment, String step, String appId, String jobId) {
        Job job;
        try {
            job = Job.valueOf(step);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no data job " + step + " (Backup, Verify, Restore, Move)");
        }
        DataFunctionServices services = new DataFunctionServices(Config.of(environment));
        DataStepsHandler steps = new DataStepsHandler(services);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("step", step);
        input.put("appId", appId);
        input.put(job.idField, jobId);
        ScheduledExecutorService heartbeat = null;
        if (job == Job.Backup || job == Job.Verify) {
            // A RUNNING backup past its lease is failed by the schedule as abandoned: while the job lives (hours, in
            // CodeBuild), the lease is renewed well before it ends, also within one long table.
            Duration lease = services.backupLease();
            long every = Math.max(1, lease.toSeconds() / 3);
            heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "data-job-lease");
                t.setDaemon(true);
                return t;
            });
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    services.backups().renewLease(appId, jobId);
                } catch (RuntimeException e) {
                    System.err.println("data job: could not renew the lease of backup " + jobId + ": " + e.getMessage());
                }
            }, every, every, TimeUnit.SECONDS);
        }
        try {
            steps.handleRequest(input, null);
        } catch (RuntimeException e) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("step", job.failureStep);
            failed.put("appId", appId);
            failed.put(job.idField, jobId);
            failed.put("error", Map.of("Error", e.getClass().getSimpleName(), "Cause", String.valueOf(e.getMessage())));
            try {
                steps.handleRequest(failed, null);
            } catch (RuntimeException notRecorded) {
                e.addSuppressed(notRecorded); // the workflow's Catch records it then
            }
            throw e;
        } finally {
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
        }
    }
}
