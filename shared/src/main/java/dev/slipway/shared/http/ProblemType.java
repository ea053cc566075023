package dev.slipway.shared.http;

/**
 * Every failure the API can answer with, each with a stable {@code type} URI (RFC 9457). Clients
 * may switch on the type; the title is for people and may be reworded, the slug never is.
 */
public enum ProblemType {
    UNAUTHORIZED(401, "unauthorized", "Missing or invalid admin token"),
    INVALID_JSON(400, "invalid-json", "The request body is not valid JSON"),
    UNKNOWN_FIELD(400, "unknown-field", "The request body has a field this operation does not accept"),
    VALIDATION_FAILED(400, "validation-failed", "The request has invalid values"),
    INVALID_APP_ID(400, "invalid-app-id", "The app id is not a valid slug"),
    INVALID_QUERY(400, "invalid-query", "A query parameter is invalid"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "The request body has an unsupported content type"),
    ROUTE_NOT_FOUND(404, "route-not-found", "No such route"),
    APP_NOT_FOUND(404, "app-not-found", "No such app"),
    APP_EXISTS(409, "app-exists", "An app with this id already exists"),
    CONCURRENT_MODIFICATION(409, "concurrent-modification", "The resource changed while this request ran; retry it"),
    INTERNAL_ERROR(500, "internal-error", "Something went wrong on our side");

    public static final String TYPE_PREFIX = "urn:slipway:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String uri() {
        return TYPE_PREFIX + slug;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
