package dev.slipway.shared.gitserver;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.GitAccess;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.imports.tree.ImportLimits;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Git's smart HTTP protocol (v0 and v2 for fetches, v0 for pushes) over an app's repository, one
 * stateless exchange per call as Lambda runs it: the request's bytes in, the whole answer out.
 * JGit's {@link UploadPack} and {@link ReceivePack} speak the protocol; pushes go through
 * {@link PushReceiver}. An answer larger than {@link #MAX_RESPONSE_BYTES} is replaced by a
 * protocol error naming the bundle route, because Lambda could not return it (docs/git.md).
 */
public final class GitSmartHttp {
    public static final String UPLOAD_PACK = "git-upload-pack";
    public static final String RECEIVE_PACK = "git-receive-pack";
    /**
     * Lambda returns at most 6 MB (6,291,456 bytes) and binary answers go base64-encoded (4/3), with
     * headers beside them: 4.5 MiB of git answer is what fits.
     */
    public static final int MAX_RESPONSE_BYTES = 4_500_000;
    /** An uncompressed request body git sends (want/have lists, a push's pack), after gzip. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
    /** API Gateway answers in 30 s; JGit gives up on a stalled exchange before that. */
    static final int TIMEOUT_SECONDS = 25;

    /** One answer: status, content type, bytes. */
    public record Response(int status, String contentType, byte[] body) {
    }

    private final GitStore git;
    private final AuditLedger ledger;
    private final DynamoDbEnhancedClient dynamo;
    private final ImportLimits limits;
    private final Clock clock;

    public GitSmartHttp(GitStore git, AuditLedger ledger, DynamoDbEnhancedClient dynamo, ImportLimits limits, Clock clock) {
        this.git = git;
        this.ledger = ledger;
        this.dynamo = dynamo;
        this.limits = limits;
        this.clock = clock;
    }

    /** The app of a repository path segment: {@code my-shop.git} (or {@code my-shop}). */
    public static String appOf(String repoSegment) {
        String s = repoSegment == null ? "" : repoSegment;
        return s.endsWith(".git") ? s.substring(0, s.length() - 4) : s;
    }

    /** Whether a {@code Git-Protocol} header asks for protocol v2 ({@code version=2}, maybe among others). */
    static boolean wantsV2(String gitProtocol) {
        return gitProtocol != null && (":" + gitProtocol.replace(" ", "") + ":").contains(":version=2:");
    }

    /** {@code GET info/refs?service=…}: the ref advertisement (v0) or the capabilities (v2). */
    public Response infoRefs(String appId, String service, String gitProtocol, GitAccess.Grant grant) {
        requireService(service, grant);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (S3DfsRepository repo = git.open(appId)) {
            PacketLineOut out = new PacketLineOut(buf);
            if (service.equals(UPLOAD_PACK)) {
                try (UploadPack up = uploadPack(repo, gitProtocol)) {
                    up.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(out), service);
                }
            } else {
                out.writeString("# service=" + service + "\n");
                out.end();
                ReceivePack rp = new ReceivePack(repo);
                rp.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(out));
            }
        } catch (ServiceMayNotContinueException e) {
            throw new DomainException(DomainError.VALIDATION_FAILED, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Response(200, "application/x-" + service + "-advertisement", buf.toByteArray());
    }

    /** {@code POST git-upload-pack}: ls-refs or fetch (v2), or the v0 negotiation and pack. */
    public Response uploadPack(String appId, byte[] body, String contentEncoding, String gitProtocol) {
        BoundedOutput out = new BoundedOutput(MAX_RESPONSE_BYTES);
        try (S3DfsRepository repo = git.open(appId)) {
            byte[] request = requestBody(body, contentEncoding).readAllBytes();
            if (isFullClone(request)) {
                git.packForClones(repo);
            }
            try (UploadPack up = uploadPack(repo, gitProtocol)) {
                up.upload(new ByteArrayInputStream(request), out, null);
            }
        } catch (IOException e) {
            if (!out.exceeded) {
                throw new UncheckedIOException(e);
            }
            return new Response(200, "application/x-git-upload-pack-result", errorPacket(
                    "this fetch needs more than " + MAX_RESPONSE_BYTES + " bytes, more than one answer can carry;"
                            + " clone with --bundle-uri from GET /git/" + appId + ".git/bundle (see docs/git.md)"));
        }
        return new Response(200, "application/x-git-upload-pack-result", out.toByteArray());
    }

    /**
     * A push's report. {@code afterMove} runs after each branch moved (deploys on push); the line it
     * returns reaches the pusher as {@code remote:}.
     */
    public Response receivePack(String appId, byte[] body, String contentEncoding, GitAccess.Grant grant, Actor actor,
                                GitSettings settings, Function<PushedBranch, Optional<String>> afterMove) {
        requireService(RECEIVE_PACK, grant);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (S3DfsRepository repo = git.open(appId)) {
            ReceivePack rp = new ReceivePack(repo);
            rp.setBiDirectionalPipe(false);
            rp.setTimeout(TIMEOUT_SECONDS);
            rp.setCheckReceivedObjects(true); // fsck what comes in: the packs must stay ones C git reads
            rp.setAtomic(false);
            rp.setMaxObjectSizeLimit(limits.maxFileBytes());
            rp.setMaxPackSizeLimit(limits.maxTotalBytes());
            PushReceiver hook = new PushReceiver(repo, git.table(), ledger, dynamo, settings, limits, actor, clock, afterMove);
            rp.setPreReceiveHook(hook);
            rp.receive(requestBody(body, contentEncoding), out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Response(200, "application/x-git-receive-pack-result", out.toByteArray());
    }

    /** A fetch that wants objects and has none: a clone (v2 "want …" with no "have …"; v0 alike). */
    static boolean isFullClone(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        return text.contains("want ") && !text.contains("have ");
    }

    private static UploadPack uploadPack(S3DfsRepository repo, String gitProtocol) {
        UploadPack up = new UploadPack(repo);
        up.setBiDirectionalPipe(false);
        up.setTimeout(TIMEOUT_SECONDS);
        if (wantsV2(gitProtocol)) {
            up.setExtraParameters(List.of("version=2"));
        }
        return up;
    }

    private static void requireService(String service, GitAccess.Grant grant) {
        if (UPLOAD_PACK.equals(service)) {
            return;
        }
        if (!RECEIVE_PACK.equals(service)) {
            throw new DomainException(DomainError.VALIDATION_FAILED,
                    "service must be git-upload-pack or git-receive-pack (dumb HTTP is not served)");
        }
        if (!grant.mayWrite()) {
            throw new DomainException(DomainError.GIT_READ_ONLY, "This token may read the repository, not push to it");
        }
    }

    private static InputStream requestBody(byte[] body, String contentEncoding) throws IOException {
        InputStream in = new ByteArrayInputStream(body);
        if (contentEncoding != null && contentEncoding.trim().equalsIgnoreCase("gzip")) {
            byte[] inflated = new GZIPInputStream(in).readNBytes(MAX_REQUEST_BYTES + 1);
            if (inflated.length > MAX_REQUEST_BYTES) {
                throw new DomainException(DomainError.VALIDATION_FAILED, "The request inflates to more than " + MAX_REQUEST_BYTES + " bytes");
            }
            return new ByteArrayInputStream(inflated);
        }
        return in;
    }

    /** A pkt-line {@code ERR} message: git stops and prints it as "remote error: …". */
    static byte[] errorPacket(String message) {
        byte[] text = ("ERR " + message + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 4];
        byte[] len = String.format("%04x", out.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(len, 0, out, 0, 4);
        System.arraycopy(text, 0, out, 4, text.length);
        return out;
    }

    /** Collects an answer up to a bound; past it the exchange stops. */
    static final class BoundedOutput extends OutputStream {
        static final class Exceeded extends IOException {
            Exceeded() {
                super("answer too large", null);
            }
        }

        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final int max;
        boolean exceeded;

        BoundedOutput(int max) {
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (exceeded || buf.size() + len > max) {
                exceeded = true;
                throw new Exceeded();
            }
            buf.write(b, off, len);
        }

        byte[] toByteArray() {
            return buf.toByteArray();
        }
    }

    /** For the handler's log and tests: the response headers git needs besides the type. */
    public static Map<String, String> noCache() {
        return Map.of("cache-control", "no-cache, max-age=0, must-revalidate", "expires", "Fri, 01 Jan 1980 00:00:00 GMT",
                "pragma", "no-cache");
    }
}
