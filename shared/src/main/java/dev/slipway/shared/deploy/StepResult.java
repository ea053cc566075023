package dev.slipway.shared.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a deploy step answers the state machine: small values (ids, S3 keys, counts — never file
 * contents) that later states read by JSONPath. Each is a record Jackson writes in its declared
 * order, leaving out null fields; {@link #outcome} is what the deployment records of the step and
 * is not sent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface StepResult {
    /** The step's recorded outcome (null: "succeeded"). */
    @JsonIgnore
    default String outcome() {
        return null;
    }

    /** ResolveRef: the commit and tree built (absent for a release deployment) and the build key ("" then). */
    @JsonPropertyOrder({"commit", "tree", "buildKey"})
    record Resolved(String commit, String tree, String buildKey, @JsonIgnore String outcome) implements StepResult {
    }

    /**
     * FindReusableRelease: whether a READY release of these inputs exists, and which; or, with
     * {@code wait} true ({@code waiting}: a record cannot name a component {@code wait}), that another deployment ({@code holder}) is building them now (the
     * workflow waits and asks again). Neither: this deployment builds.
     */
    @JsonPropertyOrder({"found", "releaseId", "wait", "holder"})
    record Reusable(boolean found, String releaseId, @JsonProperty("wait") Boolean waiting, String holder, @JsonIgnore String outcome) implements StepResult {
        public Reusable(boolean found, String releaseId, String outcome) {
            this(found, releaseId, null, null, outcome);
        }

        /** Deployment {@code holder} holds the build lease of these inputs. */
        public static Reusable waitFor(String holder) {
            return new Reusable(false, null, true, holder, "waiting for deployment " + holder + ", which builds the same inputs");
        }
    }

    /**
     * ExportSource: the release id it fixed, the build's settings, notes for its log, and the presigned
     * URLs ({@link BuildUrls}) the Build state passes on: all the build may reach. The cache URLs are ""
     * when the source has no lockfile, the lockfile URL "" when it has one (never absent: the Build state's paths
     * must all resolve).
     */
    @JsonPropertyOrder({"releaseId", "buildSettings", "sourceUrl", "envUrl", "outputUrl", "logUrl", "cacheGetUrl",
            "cachePutUrl", "lockfileUrl", "urlsExpireAt", "buildNotes"})
    record Exported(String releaseId, String buildSettings, String sourceUrl, String envUrl, String outputUrl, String logUrl,
                    String cacheGetUrl, String cachePutUrl, String lockfileUrl, String urlsExpireAt, String buildNotes)
            implements StepResult {
        @Override
        public String toString() {
            return "Exported[releaseId=" + releaseId + ", urlsExpireAt=" + urlsExpireAt + "]";
        }
    }

    /** StageRelease (files and bytes absent when it was staged already) and VerifyRelease (both absent). */
    @JsonPropertyOrder({"releaseId", "files", "bytes"})
    record Staged(String releaseId, Integer files, Long bytes, @JsonIgnore String outcome) implements StepResult {
    }

    /** PromoteRelease: whether the target's alias moved, and to which version (absent: it did not, production is pinned). */
    @JsonPropertyOrder({"releaseId", "aliasVersion", "promoted"})
    record Promoted(String releaseId, Long aliasVersion, boolean promoted) implements StepResult {
    }

    /** A step redelivered after the deployment ended, and MarkFailed: its status, release and the failure's reason. */
    @JsonPropertyOrder({"status", "releaseId", "reason"})
    record Finished(String status, String releaseId, String reason) implements StepResult {
    }
}
