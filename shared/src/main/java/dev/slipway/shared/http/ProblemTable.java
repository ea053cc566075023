package dev.slipway.shared.http;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;

/**
 * The one table from the core's refusals to the API's problem types. A switch without a default:
 * a new {@link DomainError} does not compile until it has its problem type here.
 */
public final class ProblemTable {
    private ProblemTable() {
    }

    public static ProblemType typeOf(DomainError error) {
        return switch (error) {
            case UNAUTHORIZED -> ProblemType.UNAUTHORIZED;
            case FORBIDDEN_ROLE -> ProblemType.FORBIDDEN_ROLE;
            case FORBIDDEN_APP -> ProblemType.FORBIDDEN_APP;
            case TOO_MANY_FAILED_AUTHENTICATIONS -> ProblemType.TOO_MANY_FAILED_AUTHENTICATIONS;
            case CSRF_REJECTED -> ProblemType.CSRF_REJECTED;
            case TOKEN_NOT_FOUND -> ProblemType.TOKEN_NOT_FOUND;
            case TOKEN_NOT_VALID -> ProblemType.TOKEN_NOT_VALID;
            case HOOK_NOT_FOUND -> ProblemType.HOOK_NOT_FOUND;
            case SOURCE_NOT_FOUND -> ProblemType.SOURCE_NOT_FOUND;
            case UNKNOWN_FIELD -> ProblemType.UNKNOWN_FIELD;
            case VALIDATION_FAILED -> ProblemType.VALIDATION_FAILED;
            case INVALID_APP_ID -> ProblemType.INVALID_APP_ID;
            case INVALID_QUERY -> ProblemType.INVALID_QUERY;
            case PAYLOAD_TOO_LARGE -> ProblemType.PAYLOAD_TOO_LARGE;
            case APP_NOT_FOUND -> ProblemType.APP_NOT_FOUND;
            case APP_EXISTS -> ProblemType.APP_EXISTS;
            case CONCURRENT_MODIFICATION -> ProblemType.CONCURRENT_MODIFICATION;
            case ARCHIVE_NOT_ZIP -> ProblemType.ARCHIVE_NOT_ZIP;
            case ARCHIVE_CORRUPT -> ProblemType.ARCHIVE_CORRUPT;
            case ARCHIVE_EMPTY -> ProblemType.ARCHIVE_EMPTY;
            case ARCHIVE_ENCRYPTED -> ProblemType.ARCHIVE_ENCRYPTED;
            case ARCHIVE_UNSUPPORTED_COMPRESSION -> ProblemType.ARCHIVE_UNSUPPORTED_COMPRESSION;
            case ARCHIVE_PATH_TRAVERSAL -> ProblemType.ARCHIVE_PATH_TRAVERSAL;
            case ARCHIVE_ABSOLUTE_PATH -> ProblemType.ARCHIVE_ABSOLUTE_PATH;
            case ARCHIVE_BACKSLASH_PATH -> ProblemType.ARCHIVE_BACKSLASH_PATH;
            case ARCHIVE_INVALID_PATH -> ProblemType.ARCHIVE_INVALID_PATH;
            case ARCHIVE_PATH_TOO_LONG -> ProblemType.ARCHIVE_PATH_TOO_LONG;
            case ARCHIVE_SYMLINK -> ProblemType.ARCHIVE_SYMLINK;
            case ARCHIVE_SPECIAL_FILE -> ProblemType.ARCHIVE_SPECIAL_FILE;
            case ARCHIVE_DUPLICATE_PATH -> ProblemType.ARCHIVE_DUPLICATE_PATH;
            case ARCHIVE_CASE_COLLISION -> ProblemType.ARCHIVE_CASE_COLLISION;
            case ARCHIVE_UNICODE_COLLISION -> ProblemType.ARCHIVE_UNICODE_COLLISION;
            case ARCHIVE_FILE_DIRECTORY_CONFLICT -> ProblemType.ARCHIVE_FILE_DIRECTORY_CONFLICT;
            case ARCHIVE_OVERLAPPING_ENTRIES -> ProblemType.ARCHIVE_OVERLAPPING_ENTRIES;
            case ARCHIVE_TOO_MANY_ENTRIES -> ProblemType.ARCHIVE_TOO_MANY_ENTRIES;
            case ARCHIVE_TOO_LARGE -> ProblemType.ARCHIVE_TOO_LARGE;
            case ARCHIVE_FILE_TOO_LARGE -> ProblemType.ARCHIVE_FILE_TOO_LARGE;
            case INLINE_IMPORT_TOO_LARGE -> ProblemType.INLINE_IMPORT_TOO_LARGE;
            case UPLOAD_NOT_FOUND -> ProblemType.UPLOAD_NOT_FOUND;
            case UPLOAD_NOT_RECEIVED -> ProblemType.UPLOAD_NOT_RECEIVED;
            case UPLOAD_TOO_LARGE -> ProblemType.UPLOAD_TOO_LARGE;
            case GIT_URL_INVALID -> ProblemType.GIT_URL_INVALID;
            case GIT_URL_SCHEME_NOT_ALLOWED -> ProblemType.GIT_URL_SCHEME_NOT_ALLOWED;
            case GIT_URL_HOST_NOT_PUBLIC -> ProblemType.GIT_URL_HOST_NOT_PUBLIC;
            case GIT_FETCH_FAILED -> ProblemType.GIT_FETCH_FAILED;
            case GIT_REF_NOT_FOUND -> ProblemType.GIT_REF_NOT_FOUND;
            case GIT_FETCH_TOO_LARGE -> ProblemType.GIT_FETCH_TOO_LARGE;
            case GIT_FETCH_TIMEOUT -> ProblemType.GIT_FETCH_TIMEOUT;
            case BRANCH_NOT_FOUND -> ProblemType.BRANCH_NOT_FOUND;
            case GIT_READ_ONLY -> ProblemType.GIT_READ_ONLY;
            case MIRROR_NOT_FOUND -> ProblemType.MIRROR_NOT_FOUND;
            case COMMIT_NOT_FOUND -> ProblemType.COMMIT_NOT_FOUND;
            case REF_NOT_FOUND -> ProblemType.REF_NOT_FOUND;
            case NOTHING_TO_DEPLOY -> ProblemType.NOTHING_TO_DEPLOY;
            case DEPLOYMENT_NOT_FOUND -> ProblemType.DEPLOYMENT_NOT_FOUND;
            case BUILD_LOG_NOT_FOUND -> ProblemType.BUILD_LOG_NOT_FOUND;
            case NO_LOCKFILE_TO_COMMIT -> ProblemType.NO_LOCKFILE_TO_COMMIT;
            case LOCKFILE_NOT_FOUND -> ProblemType.LOCKFILE_NOT_FOUND;
            case BRANCH_MOVED -> ProblemType.BRANCH_MOVED;
            case RELEASE_NOT_FOUND -> ProblemType.RELEASE_NOT_FOUND;
            case RELEASE_NOT_READY -> ProblemType.RELEASE_NOT_READY;
            case RELEASE_FILES_GONE -> ProblemType.RELEASE_FILES_GONE;
            case NOTHING_TO_ROLL_BACK -> ProblemType.NOTHING_TO_ROLL_BACK;
            case RELEASE_ALREADY_FINAL -> ProblemType.RELEASE_ALREADY_FINAL;
            case RELEASE_FILES_MISSING -> ProblemType.RELEASE_FILES_MISSING;
            case RELEASE_FILES_MISMATCH -> ProblemType.RELEASE_FILES_MISMATCH;
            case DEPLOY_UNAVAILABLE -> ProblemType.DEPLOY_UNAVAILABLE;
            case PREVIEW_NOT_FOUND -> ProblemType.PREVIEW_NOT_FOUND;
            case PREVIEW_EXISTS -> ProblemType.PREVIEW_EXISTS;
            case PREVIEW_NOT_DEPLOYED -> ProblemType.PREVIEW_NOT_DEPLOYED;
            case PREVIEW_ENVIRONMENT_DIFFERS -> ProblemType.PREVIEW_ENVIRONMENT_DIFFERS;
            case AUDIT_CHAIN_BROKEN -> ProblemType.AUDIT_CHAIN_BROKEN;
            case DATABASE_URL_INVALID -> ProblemType.DATABASE_URL_INVALID;
            case DATABASE_TLS_REQUIRED -> ProblemType.DATABASE_TLS_REQUIRED;
            case DATABASE_HOST_NOT_PUBLIC -> ProblemType.DATABASE_HOST_NOT_PUBLIC;
            case DATABASE_UNREACHABLE -> ProblemType.DATABASE_UNREACHABLE;
            case DATABASE_NOT_LINKED -> ProblemType.DATABASE_NOT_LINKED;
            case MOVE_NOT_FOUND -> ProblemType.MOVE_NOT_FOUND;
            case MOVE_TARGET_IS_SOURCE -> ProblemType.MOVE_TARGET_IS_SOURCE;
            case MOVE_TARGET_NOT_EMPTY -> ProblemType.MOVE_TARGET_NOT_EMPTY;
            case STACK_DATABASE_NOT_ENABLED -> ProblemType.STACK_DATABASE_NOT_ENABLED;
            case MOVE_NOT_VERIFIED -> ProblemType.MOVE_NOT_VERIFIED;
            case BACKUP_NOT_FOUND -> ProblemType.BACKUP_NOT_FOUND;
            case BACKUP_NOT_USABLE -> ProblemType.BACKUP_NOT_USABLE;
            case RESTORE_NOT_FOUND -> ProblemType.RESTORE_NOT_FOUND;
            case RESTORE_CONFIRMATION_REQUIRED -> ProblemType.RESTORE_CONFIRMATION_REQUIRED;
            case DATA_WORKFLOW_UNAVAILABLE -> ProblemType.DATA_WORKFLOW_UNAVAILABLE;
        };
    }

    /** The problem answer for a refusal of the core. */
    public static ProblemException problem(DomainException e) {
        return new ProblemException(typeOf(e.error()), e.detail(), e.errors());
    }
}
