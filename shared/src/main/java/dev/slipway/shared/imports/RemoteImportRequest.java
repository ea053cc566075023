package dev.slipway.shared.imports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/**
 * {@code POST /apps/{appId}/imports} with a JSON body, checked: exactly one of an upload
 * ({@code uploadId}) or a git URL ({@code gitUrl}, optionally {@code ref}), and optionally the
 * branch to commit to. (A zip body is the other way in; it has no JSON.)
 */
public record RemoteImportRequest(String uploadId, String gitUrl, String ref, String branch) {
    static final Set<String> FIELDS = Set.of("uploadId", "gitUrl", "ref", "branch");

    /** Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written. */
    public static RemoteImportRequest fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String uploadId = in.string("uploadId").orElse(null);
        String gitUrl = in.string("gitUrl").orElse(null);
        String ref = in.string("ref").orElse(null);
        String branch = in.string("branch").orElse(null);
        if ((uploadId == null) == (gitUrl == null)) {
            in.error(uploadId == null ? "uploadId" : "gitUrl",
                    "send exactly one of \"uploadId\" or \"gitUrl\" (or a zip body with Content-Type: application/zip)");
        }
        if (ref != null && gitUrl == null) {
            in.error("ref", "only goes with \"gitUrl\"");
        }
        in.throwIfInvalid();
        return new RemoteImportRequest(uploadId, gitUrl, ref, branch);
    }

    public boolean fromUpload() {
        return uploadId != null;
    }
}
