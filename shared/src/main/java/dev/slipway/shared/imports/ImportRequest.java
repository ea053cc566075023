package dev.slipway.shared.imports;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.http.ApiRequest;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.json.JsonObjectReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code POST /apps/{app}/imports}: a zip body, or JSON naming an upload or a git URL, and
 * runs the matching import. The three ways in share one answer.
 */
public final class ImportRequest {
    /** Inline zips: what fits in a Lambda invocation (6 MB) once API Gateway base64-encodes it. */
    public static final int MAX_INLINE_BYTES = 4 * 1024 * 1024;
    static final Set<String> JSON_FIELDS = Set.of("uploadId", "gitUrl", "ref", "branch");

    private ImportRequest() {
    }

    public static ImportResult run(ImportService imports, String appId, ApiRequest request, Actor actor) {
        String type = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        String branch = request.queryParameter("branch").orElse(null);
        if (type.startsWith("application/zip") || type.startsWith("application/x-zip-compressed")
                || type.startsWith("application/octet-stream")) {
            imports.requireApp(appId);
            byte[] zip = request.bodyBytes();
            if (zip.length > MAX_INLINE_BYTES) {
                throw new DomainException(DomainError.INLINE_IMPORT_TOO_LARGE, "Inline zips are limited to "
                        + MAX_INLINE_BYTES + " bytes; create an upload with POST /apps/" + appId + "/uploads");
            }
            Path file = null;
            try {
                file = Files.createTempFile(imports.tempParent(), "slipway-inline-", ".zip");
                Files.write(file, zip);
                String name = request.header("x-slipway-filename").filter(n -> n.matches("[A-Za-z0-9._ -]{1,100}"))
                        .orElse("request body");
                return imports.importZip(appId, branch, file, new ImportService.Source("zip", name), actor);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // under the import temp folder
                    }
                }
            }
        }
        JsonObjectReader in = JsonObjectReader.of(request.jsonObject(), JSON_FIELDS);
        String uploadId = in.string("uploadId").orElse(null);
        String gitUrl = in.string("gitUrl").orElse(null);
        String ref = in.string("ref").orElse(null);
        String jsonBranch = in.string("branch").orElse(null);
        if ((uploadId == null) == (gitUrl == null)) {
            in.error(uploadId == null ? "uploadId" : "gitUrl",
                    "send exactly one of \"uploadId\" or \"gitUrl\" (or a zip body with Content-Type: application/zip)");
        }
        if (ref != null && gitUrl == null) {
            in.error("ref", "only goes with \"gitUrl\"");
        }
        in.throwIfInvalid();
        String b = jsonBranch != null ? jsonBranch : branch;
        return uploadId != null
                ? imports.importUpload(appId, b, uploadId, actor)
                : imports.importGit(appId, b, gitUrl, ref, actor);
    }

    public static ImportLimits limits(Config config) {
        ImportLimits d = ImportLimits.DEFAULT;
        return new ImportLimits(
                config.get(EnvNames.IMPORT_MAX_ENTRIES).map(Integer::parseInt).orElse(d.maxEntries()),
                config.get(EnvNames.IMPORT_MAX_TOTAL_BYTES).map(Long::parseLong).orElse(d.maxTotalBytes()),
                config.get(EnvNames.IMPORT_MAX_FILE_BYTES).map(Long::parseLong).orElse(d.maxFileBytes()),
                d.maxPathChars());
    }

    public static Path tempParent(Config config) {
        Path p = Path.of(config.get(EnvNames.IMPORT_TEMP_DIR).orElse(System.getProperty("java.io.tmpdir")));
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
