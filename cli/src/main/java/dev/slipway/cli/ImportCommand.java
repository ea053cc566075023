package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.cli.folder.FolderArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An export into the app's git history: a zip as it is, or a folder zipped as git would commit it (its .gitignore
 * rules honoured). Up to 4 MiB inline; larger through a presigned upload (POST …/uploads, PUT, import by uploadId),
 * as the API reference says.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a builder's export (a zip, or a folder zipped honouring its .gitignore) as the next commit.",
                "Secrets found are taken out and reported; large exports go through a presigned upload with a progress bar."})
final class ImportCommand extends AppCommand {
    /** What one Lambda invocation takes inline (docs/api.md); larger goes through a presigned upload. */
    static final long INLINE_MAX_BYTES = 4L * 1024 * 1024;

    @Parameters(paramLabel = "ZIP|FOLDER", description = "The export: a .zip file or a folder (default: this folder)", defaultValue = ".")
    Path source;

    @Option(names = "--branch", paramLabel = "BRANCH", description = "The branch to commit to (default: main)")
    String branch;

    @Option(names = "--upload", description = "Always go through a presigned upload, whatever the size")
    boolean viaUpload;

    @Override
    protected int run() throws IOException {
        String app = app();
        ApiClient api = api();
        Path path = io.cwd().resolve(source).normalize();
        if (!Files.exists(path)) {
            throw CliFailure.usage(source + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            print(send(api, app, path, path.getFileName().toString()), null);
            return ExitCode.OK;
        }
        FolderArchive.Listing listing = FolderArchive.list(path);
        if (listing.files().isEmpty()) {
            throw CliFailure.usage(path + " has no files to import (all ignored or empty)");
        }
        Path zip = Files.createTempFile("slipway-import-", ".zip"); // 0600: it may hold the folder's secrets until the import takes them out
        try {
            try (OutputStream out = Files.newOutputStream(zip);
                 Progress bar = new Progress(io.err(), showProgress(), "zipping  ", listing.bytes())) {
                FolderArchive.zip(listing, out, bar::update);
            }
            ObjectNode archive = ApiClient.object().put("files", listing.files().size()).put("bytes", Files.size(zip))
                    .put("ignored", listing.ignored().size());
            note("Zipped " + listing.files().size() + " files (" + Progress.size(Files.size(zip)) + "), left out "
                    + listing.ignored().size() + " ignored" + (listing.skipped().isEmpty() ? "" : " and " + listing.skipped().size()
                    + " links or special files"));
            String name = path.getFileName() == null ? "export" : path.getFileName().toString();
            print(send(api, app, zip, name), archive);
        } finally {
            Files.deleteIfExists(zip);
        }
        return ExitCode.OK;
    }

    private JsonNode send(ApiClient api, String app, Path zip, String name) throws IOException {
        long size = Files.size(zip);
        String fileName = name.endsWith(".zip") ? name : name + ".zip";
        String branchQuery = branch == null ? "" : "?branch=" + seg(branch);
        if (size <= INLINE_MAX_BYTES && !viaUpload) {
            byte[] body = Files.readAllBytes(zip);
            try (Progress bar = new Progress(io.err(), showProgress(), "uploading", size)) {
                return api.upload("/apps/" + app + "/imports" + branchQuery, body, "application/zip",
                        Map.of("x-slipway-filename", fileName), bar::update);
            }
        }
        JsonNode upload = api.call("POST", "/apps/" + app + "/uploads", ApiClient.object().put("size", size).put("name", fileName));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        upload.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        try (Progress bar = new Progress(io.err(), showProgress(), "uploading", size)) {
            api.putPresigned(upload.path("url").asText(), zip, headers, bar::update);
        }
        ObjectNode body = ApiClient.object().put("uploadId", upload.path("uploadId").asText());
        if (branch != null) {
            body.put("branch", branch);
        }
        return api.call("POST", "/apps/" + app + "/imports", body);
    }

    /** The import's answer: under --json as it came (with {@code archive} for a folder), else in words. */
    private void print(JsonNode result, ObjectNode archive) {
        if (!json) {
            report(result);
            return;
        }
        ObjectNode out = result.deepCopy();
        if (archive != null) {
            out.set("archive", archive);
        }
        print(out);
    }

    private void report(JsonNode r) {
        String commit = r.path("commit").asText();
        boolean unchanged = r.path("filesAdded").asInt() + r.path("filesChanged").asInt() + r.path("filesRemoved").asInt() == 0;
        say((unchanged ? "Unchanged: " : "Imported: ") + "commit " + commit.substring(0, Math.min(12, commit.length())) + " on "
                + r.path("branch").asText("main") + " (+" + r.path("filesAdded").asInt() + " ~" + r.path("filesChanged").asInt()
                + " -" + r.path("filesRemoved").asInt() + ")" + (r.hasNonNull("framework") ? ", framework " + r.path("framework").asText() : ""));
        for (JsonNode f : r.path("findings")) {
            say("  " + f.path("severity").asText("note") + ": " + f.path("rule").asText(f.path("type").asText(""))
                    + (f.hasNonNull("file") ? " in " + f.path("file").asText() + (f.hasNonNull("line") ? ":" + f.path("line").asInt() : "") : "")
                    + (f.hasNonNull("message") ? " — " + f.path("message").asText() : ""));
        }
        for (JsonNode v : r.path("environmentVariables")) {
            say("  secret moved to the app's environment: " + (v.isTextual() ? v.asText() : v.path("name").asText()));
        }
        say("Next: slipway deploy");
    }
}
