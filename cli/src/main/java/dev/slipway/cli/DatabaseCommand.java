package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code slipway db}: the app's Postgres — its link, verified backups, restores, the move to a database the owner runs
 * and the switch. Database URLs carry passwords, so they are read like secrets (stdin or a prompt that does not echo),
 * never from the command line; the API never shows them again.
 */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = {"The app's database: its link and newest backups (link, backup, restore, move …: see below).",
                "Database URLs are read from stdin or typed without echo, never taken as arguments."},
        subcommands = {DatabaseCommand.Link.class, DatabaseCommand.Unlink.class, DatabaseCommand.Backup.class, DatabaseCommand.Backups.class,
                DatabaseCommand.Download.class, DatabaseCommand.Restore.class, DatabaseCommand.Policy.class, DatabaseCommand.Move.class,
                DatabaseCommand.Switch.class, DatabaseCommand.Previews.class})
final class DatabaseCommand extends AppCommand {
    @Override
    protected int run() {
        JsonNode link = api().get(appPath("/database"));
        JsonNode backups = api().get(appPath("/database/backups"));
        if (json) {
            ObjectNode out = ApiClient.object();
            out.set("link", link);
            out.set("backups", backups);
            print(out);
            return ExitCode.OK;
        }
        showLink(this, link);
        showBackups(this, backups, 5);
        return ExitCode.OK;
    }

    static void showLink(BaseCommand c, JsonNode l) {
        JsonNode check = l.path("lastCheck");
        c.say(l.path("kind").asText() + " database " + l.path("database").asText() + " as " + l.path("user").asText() + " on "
                + l.path("host").asText() + ":" + l.path("port").asText() + " (sslmode " + l.path("sslmode").asText() + ")");
        c.say("  linked " + when(l.path("linkedAt").asText(null)) + " by " + l.path("linkedBy").asText("-") + "; last check "
                + (check.path("ok").asBoolean() ? "ok, Postgres " + check.path("serverVersion").asText() : "failed: " + check.path("detail").asText("-")));
    }

    static void showBackups(BaseCommand c, JsonNode listing, int limit) {
        JsonNode policy = listing.path("policy");
        c.say("Backups: every " + policy.path("everyHours").asInt() + " h (0 = off), keep " + policy.path("keepCount").asInt() + " / "
                + policy.path("keepDays").asInt() + " days");
        int[] w = {28, 10, 17, 8, 11};
        c.say(row(w, "BACKUP", "STATUS", "STARTED", "TABLES", "ROWS", "BYTES / WHY NOT"));
        int n = 0;
        for (JsonNode b : listing.path("backups")) {
            if (n++ == limit) {
                c.say("… (all: slipway db backups)");
                break;
            }
            c.say(row(w, b.path("backupId").asText(), b.path("status").asText(), when(b.path("startedAt").asText(null)),
                    b.path("tables").asText("-"), b.path("rows").asText("-"),
                    b.hasNonNull("failure") ? b.path("failure").asText() : b.path("bytes").asText("-")));
        }
        if (n == 0) {
            c.say("(none yet: slipway db backup)");
        }
    }

    /** Polls {@code path} while its status is RUNNING; the last answer. */
    static JsonNode await(BaseCommand c, ApiClient api, String path, String what) {
        long started = System.nanoTime();
        boolean told = false;
        while (true) {
            JsonNode n = api.get(path);
            if (!"RUNNING".equals(n.path("status").asText())) {
                return n;
            }
            if (!told) {
                c.note(what + " running …");
                told = true;
            }
            try {
                Thread.sleep(Math.min(2000, 250 + (System.nanoTime() - started) / 10_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(ExitCode.FAILED, "interrupted; it goes on: " + path);
            }
        }
    }

    /** A started job (backup, restore, move): as started when {@code detach}, else followed to its end; printed under --json. */
    static JsonNode follow(BaseCommand c, ApiClient api, JsonNode started, boolean detach, String kind, String id, String path) {
        JsonNode job = detach ? started : await(c, api, path, Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " " + id);
        if (c.json) {
            c.print(job);
        }
        return job;
    }

    /** Whether a followed job ended other than {@code done} (a detached one has not ended yet): then why is on stderr, and the command exits 1. */
    static boolean failed(BaseCommand c, JsonNode job, boolean detach, String kind, String id, String done) {
        String status = job.path("status").asText();
        if (detach || done.equals(status)) {
            return false;
        }
        c.io.err().println("slipway: " + kind + " " + id + " " + status.toLowerCase(java.util.Locale.ROOT) + ": "
                + job.path("failure").asText("no reason given"));
        return true;
    }

    /** Reads a database URL as a secret (never an argument). */
    static String readUrl(BaseCommand c, String what) throws IOException {
        String url = c.readSecret(what + " (postgres://…, not echoed): ");
        if (url == null || url.isBlank()) {
            throw CliFailure.usage("no URL: pipe it on stdin (… < url-file) or type it at the prompt");
        }
        return url.strip();
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
            description = {"Link the app's Postgres: the URL is checked (public host, TLS unless loopback, a real login), kept encrypted and never shown again."})
    static final class Link extends AppCommand {
        @Option(names = "--kind", paramLabel = "KIND", description = "supabase, neon or postgres (default: postgres)")
        String kind = "postgres";

        @Override
        protected int run() throws IOException {
            String url = readUrl(this, "Database URL");
            JsonNode l = api().call("PUT", appPath("/database"), ApiClient.object().put("url", url).put("kind", kind));
            if (json) {
                print(l);
            } else {
                say("Linked.");
                showLink(this, l);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true, description = "Forget the link and its URL (backups stay).")
    static final class Unlink extends AppCommand {
        @Override
        protected int run() {
            JsonNode r = api().call("DELETE", appPath("/database"), null);
            if (json) {
                print(r);
            } else {
                say("Unlinked; the backups stay.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Back up the linked database now and follow it until it is verified (restored into a scratch database and compared).",
                    "Exits 1 when the backup fails, printing why."})
    static final class Backup extends AppCommand {
        @Option(names = "--detach", description = "Start it and return at once (prints the backup id)")
        boolean detach;

        @Override
        protected int run() {
            ApiClient api = api();
            JsonNode started = api.call("POST", appPath("/database/backups"), null);
            String id = started.path("backupId").asText();
            JsonNode b = follow(this, api, started, detach, "backup", id, appPath("/database/backups/" + seg(id)));
            if (failed(this, b, detach, "backup", id, "VERIFIED")) {
                return ExitCode.FAILED;
            }
            if (detach) {
                say("Started backup " + id + "; see it with: slipway db backups");
                return ExitCode.OK;
            }
            say("Verified backup " + id + ": " + b.path("tables").asText() + " tables, " + b.path("rows").asText() + " rows, "
                    + b.path("bytes").asText() + " bytes encrypted, in " + b.path("durationMs").asText() + " ms");
            return ExitCode.OK;
        }
    }

    @Command(name = "backups", aliases = "ls", mixinStandardHelpOptions = true, description = "List the backups, newest first, failed ones with why.")
    static final class Backups extends AppCommand {
        @Override
        protected int run() {
            JsonNode listing = api().get(appPath("/database/backups"));
            if (json) {
                print(listing);
            } else {
                showBackups(this, listing, Integer.MAX_VALUE);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = {"Download a verified backup's encrypted object (through a presigned URL that lasts 15 minutes; audited)."})
    static final class Download extends AppCommand {
        @Parameters(paramLabel = "BACKUP", description = "The backup's id")
        String backup;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write it (default: <BACKUP>.slwb here)")
        Path output;

        @Override
        protected int run() {
            ApiClient api = api();
            JsonNode d = api.call("POST", appPath("/database/backups/" + seg(backup) + "/download"), null);
            Path file = io.cwd().resolve(output != null ? output : Path.of(backup + ".slwb"));
            long bytes = api.getPresigned(d.path("url").asText(), file);
            if (json) {
                print(ApiClient.object().put("backupId", backup).put("file", file.toString()).put("bytes", bytes));
            } else {
                say("Wrote " + file + " (" + bytes + " bytes, encrypted: docs/data.md says how to read it)");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restore a verified backup into the database whose URL is read from stdin (in one transaction: a failure leaves it as it was).",
                    "Exits 1 when the restore fails."})
    static final class Restore extends AppCommand {
        @Parameters(paramLabel = "BACKUP", description = "The backup's id")
        String backup;

        @Option(names = "--overwrite-linked", description = "The target is the linked database itself: drop and recreate the backup's tables there")
        boolean overwriteLinked;

        @Option(names = "--detach", description = "Start it and return at once")
        boolean detach;

        @Override
        protected int run() throws IOException {
            String url = readUrl(this, "Target database URL");
            ObjectNode body = ApiClient.object().put("backupId", backup).put("targetUrl", url);
            if (overwriteLinked) {
                body.put("confirm", "overwrite-linked-database");
            }
            ApiClient api = api();
            JsonNode started = api.call("POST", appPath("/database/restores"), body);
            String id = started.path("restoreId").asText();
            JsonNode r = follow(this, api, started, detach, "restore", id, appPath("/database/restores/" + seg(id)));
            if (failed(this, r, detach, "restore", id, "SUCCEEDED")) {
                return ExitCode.FAILED;
            }
            say(detach ? "Started restore " + id : "Restored backup " + backup + " (restore " + id + ")");
            return ExitCode.OK;
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Show or change when backups run and how many are kept.")
    static final class Policy extends AppCommand {
        @Option(names = "--every-hours", paramLabel = "H", description = "A scheduled backup every H hours (0: none)")
        Integer everyHours;

        @Option(names = "--keep-count", paramLabel = "N", description = "Keep at most N verified backups")
        Integer keepCount;

        @Option(names = "--keep-days", paramLabel = "D", description = "Remove verified backups older than D days (never the newest)")
        Integer keepDays;

        @Override
        protected int run() {
            ApiClient api = api();
            JsonNode policy = api.get(appPath("/database/backups")).path("policy");
            if (everyHours != null || keepCount != null || keepDays != null) {
                ObjectNode body = ApiClient.object()
                        .put("everyHours", everyHours != null ? everyHours : policy.path("everyHours").asInt())
                        .put("keepCount", keepCount != null ? keepCount : policy.path("keepCount").asInt())
                        .put("keepDays", keepDays != null ? keepDays : policy.path("keepDays").asInt());
                api.call("PUT", appPath("/database/backup-policy"), body);
                policy = body;
            }
            if (json) {
                print(policy);
            } else {
                say("Every " + policy.path("everyHours").asInt() + " h (0 = off), keep " + policy.path("keepCount").asInt() + " backups, "
                        + policy.path("keepDays").asInt() + " days");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "previews", mixinStandardHelpOptions = true,
            description = {"Show or set whether each preview gets a database of its own, and list the previews' databases.",
                    "migrations: a new database with the repository's migrations and seed; backup: the newest verified backup restored, then"
                            + " newer migrations; none: previews share what the preview scope's values say."})
    static final class Previews extends AppCommand {
        @Option(names = "--mode", paramLabel = "MODE", description = "none, migrations or backup (from the next preview deploy on)")
        String mode;

        @Override
        protected int run() {
            ApiClient api = api();
            JsonNode p = mode == null ? api.get(appPath("/database/preview-policy"))
                    : api.call("PUT", appPath("/database/preview-policy"), ApiClient.object().put("mode", mode));
            if (json) {
                print(p);
                return ExitCode.OK;
            }
            say("Preview databases: " + p.path("mode").asText() + " (on the " + p.path("server").asText() + " server)");
            int[] w = {24, 40, 10};
            if (!p.path("databases").isEmpty()) {
                say(row(w, "PREVIEW", "DATABASE", "STATUS", "CREATED"));
            }
            for (JsonNode d : p.path("databases")) {
                say(row(w, d.path("preview").asText(), d.path("database").asText(), d.path("status").asText(), when(d.path("createdAt").asText(null))));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Copy the linked database's schema and data into an empty database you run (its URL from stdin), or with --stack"
                    + " into a database of the app's own on the stack's database, verified by counts and checksums.",
                    "The source is never changed; the app keeps using it until `slipway db switch`. Exits 1 when the move fails."})
    static final class Move extends AppCommand {
        @Option(names = "--stack", description = "Move to the stack's own database (Aurora when deployed with CreateDatabase=true; locally the runtime's Postgres)")
        boolean stack;

        @Option(names = "--detach", description = "Start it and return at once (prints the move id)")
        boolean detach;

        @Override
        protected int run() throws IOException {
            ObjectNode body = stack ? ApiClient.object().put("target", "stack")
                    : ApiClient.object().put("targetUrl", readUrl(this, "Target database URL"));
            ApiClient api = api();
            JsonNode started = api.call("POST", appPath("/database/move"), body);
            String id = started.path("moveId").asText();
            JsonNode m = follow(this, api, started, detach, "move", id, appPath("/database/moves/" + seg(id)));
            for (JsonNode f : m.path("findings")) {
                note(f.path("severity").asText() + ": " + f.path("object").asText() + ": " + f.path("message").asText());
            }
            if (failed(this, m, detach, "move", id, "SUCCEEDED")) {
                return ExitCode.FAILED;
            }
            say(detach ? "Started move " + id : "Moved and verified: " + m.path("tables").asText() + " tables, " + m.path("rows").asText()
                    + " rows (move " + id + "). Point the app at it with: slipway db switch " + id + " --variable DATABASE_URL");
            return ExitCode.OK;
        }
    }

    @Command(name = "switch", mixinStandardHelpOptions = true,
            description = {"Point the app at a verified move's database: the link moves, --variable gets its URL in production, and main is deployed."})
    static final class Switch extends AppCommand {
        @Parameters(paramLabel = "MOVE", description = "The verified move's id")
        String move;

        @Option(names = "--variable", paramLabel = "NAME", description = "The runtime variable that gets the new URL, e.g. DATABASE_URL")
        String variable;

        @Override
        protected int run() {
            ObjectNode body = ApiClient.object().put("moveId", move);
            if (variable != null) {
                body.put("variable", variable);
            }
            JsonNode r = api().call("POST", appPath("/database/switch"), body);
            if (json) {
                print(r);
            } else {
                say("Switched to the moved database" + (variable != null ? "; " + variable + " set in production" : "")
                        + (r.hasNonNull("deploymentId") ? "; deploying main (follow it: slipway logs " + r.path("deploymentId").asText() + ")" : ""));
            }
            return ExitCode.OK;
        }
    }
}
