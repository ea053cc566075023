package dev.slipway.shared.deploy.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.SitePath;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What {@code POST /apps/{app}/releases} asks for, checked: the release's files, path (normalised,
 * no leading slash) → SHA-256 (64 lowercase hex digits), 1 to {@value DirectUploadService#MAX_FILES}.
 */
public record NewUpload(SortedMap<String, String> files) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public NewUpload {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** Reads the request body {"files": {path: sha256}}; every problem is listed with its JSON Pointer, nothing is written. */
    public static NewUpload fromJson(ObjectNode body) {
        Iterator<String> names = body.fieldNames();
        List<FieldError> unknown = new ArrayList<>();
        while (names.hasNext()) {
            String f = names.next();
            if (!f.equals("files")) {
                unknown.add(new FieldError("/" + pointerEscape(f), "unknown field; accepted: files"));
            }
        }
        if (!unknown.isEmpty()) {
            throw new DomainException(DomainError.UNKNOWN_FIELD, "Unknown field " + unknown.get(0).pointer(), unknown);
        }
        JsonNode fs = body.get("files");
        if (fs == null || !fs.isObject()) {
            throw invalid("/files", "is required: an object of file path → sha256 (lowercase hex)");
        }
        if (fs.isEmpty()) {
            throw invalid("/files", "must list at least one file");
        }
        if (fs.size() > DirectUploadService.MAX_FILES) {
            throw new DomainException(DomainError.PAYLOAD_TOO_LARGE,
                    "A release holds at most " + DirectUploadService.MAX_FILES + " files; this one lists " + fs.size());
        }
        TreeMap<String, String> out = new TreeMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fs.fields(); it.hasNext() && errors.size() < 50; ) {
            Map.Entry<String, JsonNode> e = it.next();
            String pointer = "/files/" + pointerEscape(e.getKey());
            String path;
            try {
                path = SitePath.check(e.getKey());
            } catch (IllegalArgumentException x) {
                errors.add(new FieldError(pointer, x.getMessage()));
                continue;
            }
            JsonNode v = e.getValue();
            if (!v.isTextual() || !SHA256.matcher(v.asText()).matches()) {
                errors.add(new FieldError(pointer, "must be the file's SHA-256 as 64 lowercase hex digits"));
                continue;
            }
            if (out.put(path, v.asText()) != null) {
                errors.add(new FieldError(pointer, "names the same file as another entry"));
            }
        }
        if (!errors.isEmpty()) {
            throw new DomainException(DomainError.VALIDATION_FAILED,
                    errors.size() == 1 ? errors.get(0).pointer() + ": " + errors.get(0).detail() : errors.size() + " files are invalid", errors);
        }
        return new NewUpload(out);
    }

    private static DomainException invalid(String pointer, String detail) {
        return new DomainException(DomainError.VALIDATION_FAILED, pointer + ": " + detail,
                List.of(new FieldError(pointer, detail)));
    }

    private static String pointerEscape(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }
}
