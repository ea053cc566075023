package dev.slipway.shared.imports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.Set;

/** What {@code POST /apps/{appId}/uploads} asks for, checked: the export's exact size and its file name. */
public record UploadRequest(long size, String name) {
    static final Set<String> FIELDS = Set.of("size", "name");

    /** Reads the request body; every problem is listed with its JSON Pointer (400). The size limit is the service's. */
    public static UploadRequest fromJson(ObjectNode body) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        long size = in.has("size") ? in.longValue("size").orElse(-1L) : -1L;
        if (!in.has("size")) {
            in.error("size", "is required: the export's size in bytes");
        } else if (size < 1) {
            in.error("size", "must be a whole number of bytes, at least 1");
        }
        String name = in.string("name").orElse("export.zip");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._ -]{0,99}")) {
            in.error("name", "must be 1-100 letters, digits, spaces, '.', '_' or '-'");
        }
        in.throwIfInvalid();
        return new UploadRequest(size, name);
    }
}
