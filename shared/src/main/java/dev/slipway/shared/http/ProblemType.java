package dev.slipway.shared.http;

/**
 * Every failure the API can answer with, each with a stable {@code type} URI (RFC 9457). Clients
 * may switch on the type; the title is for people and may be reworded, the slug never is.
 */
public enum ProblemType {
    UNAUTHORIZED(401, "unauthorized", "Missing, unknown, expired or revoked token"),
    FORBIDDEN_ROLE(403, "forbidden-role", "The token's role does not allow this operation"),
    FORBIDDEN_APP(403, "forbidden-app", "The token is not valid for this app"),
    TOO_MANY_FAILED_AUTHENTICATIONS(429, "too-many-failed-authentications", "Too many failed authentications from this address; wait for Retry-After"),
    CSRF_REJECTED(403, "csrf-rejected", "A change made with the session cookie lacks its CSRF value or comes from another origin"),
    TOKEN_NOT_FOUND(404, "token-not-found", "No such token"),
    TOKEN_NOT_VALID(409, "token-not-valid", "The token is revoked or expired"),
    HOOK_NOT_FOUND(404, "hook-not-found", "No such deploy hook"),
    SOURCE_NOT_FOUND(404, "source-not-found", "The app has no GitHub source"),
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
    // Imports: one type per rule an archive or git tree can break (the hostile-archive corpus
    // proves each one). Size limits are 413, content that is not a usable archive is 400 or 422.
    // The local edge's answers for a release's server (the API never answers these).
    APP_SERVER_UNAVAILABLE(502, "app-server-unavailable", "The app's server did not answer"),
    ARCHIVE_NOT_ZIP(400, "archive-not-zip", "The body is not a zip archive"),
    ARCHIVE_CORRUPT(400, "archive-corrupt", "The zip archive is truncated or corrupt"),
    ARCHIVE_EMPTY(422, "archive-empty", "The archive holds no files to import"),
    ARCHIVE_ENCRYPTED(400, "archive-encrypted", "The archive has encrypted entries"),
    ARCHIVE_UNSUPPORTED_COMPRESSION(400, "archive-unsupported-compression", "An entry uses a compression method Slipway does not read"),
    ARCHIVE_PATH_TRAVERSAL(400, "archive-path-traversal", "An entry path climbs out of the archive with '..'"),
    ARCHIVE_ABSOLUTE_PATH(400, "archive-absolute-path", "An entry path is absolute or names a drive"),
    ARCHIVE_BACKSLASH_PATH(400, "archive-backslash-path", "An entry path uses backslashes"),
    ARCHIVE_INVALID_PATH(400, "archive-invalid-path", "An entry path has characters or segments git cannot store safely"),
    ARCHIVE_PATH_TOO_LONG(400, "archive-path-too-long", "An entry path is too long"),
    ARCHIVE_SYMLINK(400, "archive-symlink", "The archive has a symbolic link"),
    ARCHIVE_SPECIAL_FILE(400, "archive-special-file", "The archive has a device, pipe or other special file"),
    ARCHIVE_DUPLICATE_PATH(400, "archive-duplicate-path", "Two entries have the same path"),
    ARCHIVE_CASE_COLLISION(400, "archive-case-collision", "Two entries differ only in letter case"),
    ARCHIVE_UNICODE_COLLISION(400, "archive-unicode-collision", "Two entries are the same path after Unicode normalisation"),
    ARCHIVE_FILE_DIRECTORY_CONFLICT(400, "archive-file-directory-conflict", "A path is both a file and a folder"),
    ARCHIVE_OVERLAPPING_ENTRIES(400, "archive-overlapping-entries", "Entries share compressed data (a zip bomb)"),
    ARCHIVE_TOO_MANY_ENTRIES(413, "archive-too-many-entries", "The archive has more entries than allowed"),
    ARCHIVE_TOO_LARGE(413, "archive-too-large", "The archive inflates to more than allowed"),
    ARCHIVE_FILE_TOO_LARGE(413, "archive-file-too-large", "A file in the archive inflates to more than allowed"),
    INLINE_IMPORT_TOO_LARGE(413, "inline-import-too-large", "The zip is too large to send inline; use an upload"),
    UPLOAD_NOT_FOUND(404, "upload-not-found", "No such upload, or it has expired"),
    UPLOAD_NOT_RECEIVED(409, "upload-not-received", "Nothing has been uploaded for this upload id yet"),
    UPLOAD_TOO_LARGE(413, "upload-too-large", "The upload is larger than allowed"),
    GIT_URL_INVALID(400, "git-url-invalid", "The git URL is not a valid https URL"),
    GIT_URL_SCHEME_NOT_ALLOWED(400, "git-url-scheme-not-allowed", "Only https git URLs are accepted"),
    GIT_URL_HOST_NOT_PUBLIC(400, "git-url-host-not-public", "The git host resolves to a private, loopback or link-local address"),
    GIT_FETCH_FAILED(422, "git-fetch-failed", "The git repository could not be fetched"),
    GIT_REF_NOT_FOUND(422, "git-ref-not-found", "The git repository has no such branch or tag"),
    GIT_FETCH_TOO_LARGE(413, "git-fetch-too-large", "The git repository is larger than allowed"),
    GIT_FETCH_TIMEOUT(422, "git-fetch-timeout", "Fetching the git repository took longer than allowed"),
    BRANCH_NOT_FOUND(404, "branch-not-found", "The app has no such branch"),
    GIT_READ_ONLY(403, "git-read-only", "This token may read the repository, not push to it"),
    MIRROR_NOT_FOUND(404, "mirror-not-found", "The app has no mirror"),
    COMMIT_NOT_FOUND(404, "commit-not-found", "The app has no such commit"),
    // Deploys and releases.
    REF_NOT_FOUND(422, "ref-not-found", "The app has no such branch or commit"),
    NOTHING_TO_DEPLOY(409, "nothing-to-deploy", "The app has no commits yet; import its code first"),
    DEPLOYMENT_NOT_FOUND(404, "deployment-not-found", "No such deployment"),
    BUILD_LOG_NOT_FOUND(404, "build-log-not-found", "This deployment has no build log (yet)"),
    LOCKFILE_NOT_FOUND(404, "lockfile-not-found", "This deployment's build installed from its commit's own lockfile"),
    NO_LOCKFILE_TO_COMMIT(409, "no-lockfile-to-commit", "This deployment's build installed from the commit's own lockfile"),
    BRANCH_MOVED(409, "branch-moved", "The branch no longer points at this deployment's commit"),
    RELEASE_NOT_FOUND(404, "release-not-found", "No such release"),
    RELEASE_NOT_READY(409, "release-not-ready", "The release is not READY"),
    RELEASE_FILES_GONE(409, "release-files-gone", "The release's files no longer exist"),
    NOTHING_TO_ROLL_BACK(409, "nothing-to-roll-back", "Production has no earlier release to return to"),
    RELEASE_ALREADY_FINAL(409, "release-already-final", "The release is already finalized or failed"),
    RELEASE_FILES_MISSING(409, "release-files-missing", "Some files of the release have not been uploaded"),
    RELEASE_FILES_MISMATCH(422, "release-files-mismatch", "Uploaded content does not match the manifest"),
    DEPLOY_UNAVAILABLE(503, "deploy-unavailable", "The deploy workflow could not be started; retry later"),
    // Previews.
    PREVIEW_NOT_FOUND(404, "preview-not-found", "No such preview"),
    PREVIEW_EXISTS(409, "preview-exists", "Another request created this preview at the same time"),
    PREVIEW_NOT_DEPLOYED(409, "preview-not-deployed", "The preview has no READY release yet"),
    PREVIEW_ENVIRONMENT_DIFFERS(409, "preview-environment-differs", "The preview was built with another environment than production's; promote with rebuild"),
    // Idempotency-Key (every POST route).
    INVALID_IDEMPOTENCY_KEY(400, "invalid-idempotency-key", "The Idempotency-Key header is not 1 to 255 printable ASCII characters"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "The Idempotency-Key was already used for a different request"),
    IDEMPOTENCY_KEY_IN_PROGRESS(409, "idempotency-key-in-progress", "A request with this Idempotency-Key is still running"),
    IDEMPOTENCY_RESPONSE_NOT_KEPT(409, "idempotency-response-not-kept", "The request with this Idempotency-Key completed, but its answer was too large to keep"),
    AUDIT_CHAIN_BROKEN(409, "audit-chain-broken", "The app's audit chain does not verify; it is not exported until it is restored"),
    // The app's database.
    DATABASE_URL_INVALID(400, "database-url-invalid", "The database URL is not a postgres:// URL Slipway can use"),
    DATABASE_TLS_REQUIRED(400, "database-tls-required", "The database URL turns TLS off for a host that is not loopback"),
    DATABASE_HOST_NOT_PUBLIC(400, "database-host-not-public", "The database host resolves to a private, loopback or link-local address"),
    DATABASE_UNREACHABLE(422, "database-unreachable", "The database did not accept the connection check"),
    DATABASE_NOT_LINKED(404, "database-not-linked", "The app has no linked database"),
    MOVE_NOT_FOUND(404, "move-not-found", "The app has no database move of that id"),
    MOVE_TARGET_IS_SOURCE(400, "move-target-is-source", "The move's target is the app's linked database itself"),
    MOVE_TARGET_NOT_EMPTY(409, "move-target-not-empty", "The move's target database already has tables"),
    STACK_DATABASE_NOT_ENABLED(409, "stack-database-not-enabled", "This stack has no database of its own"),
    MOVE_NOT_VERIFIED(409, "move-not-verified", "Only a move that succeeded, and was not switched to yet, can be switched to"),
    BACKUP_NOT_FOUND(404, "backup-not-found", "No such backup"),
    BACKUP_NOT_USABLE(409, "backup-not-usable", "The backup is not VERIFIED, so it cannot be downloaded or restored"),
    RESTORE_NOT_FOUND(404, "restore-not-found", "No such restore"),
    RESTORE_CONFIRMATION_REQUIRED(409, "restore-confirmation-required", "The target is the app's linked database; confirm overwriting it"),
    DATA_WORKFLOW_UNAVAILABLE(503, "data-workflow-unavailable", "The data workflow could not be started; retry later"),
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
