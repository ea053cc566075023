package dev.slipway.shared.imports;

import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.imports.findings.Finding;
import dev.slipway.shared.imports.tree.ImportLimits;
import dev.slipway.shared.imports.tree.ImportTree;
import dev.slipway.shared.imports.tree.TreeCollector;
import dev.slipway.shared.net.PublicAddress;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code {"gitUrl": "https://…", "ref": "main"}}: a shallow fetch of one branch or tag over https
 * from a host that resolves to public addresses only, then the commit's tree through the same
 * rules as a zip. No other transport, no redirects, no submodules; size and time are bounded.
 * Credentials in the URL are used for the fetch and never repeated: {@link #redact(URI)}.
 */
public final class GitUrlImport {
    /** The fetched commit as its author made it: what a sync keeps of it (its SHA cannot be kept, see docs/tokens.md). */
    public record Origin(String sha, String authorName, String authorEmail, java.time.Instant authorTime, String message) {
    }

    public record Fetched(ImportTree tree, List<Finding> findings, String label, Origin origin) {
        public Fetched(ImportTree tree, List<Finding> findings, String label) {
            this(tree, findings, label, null);
        }

    }

    /** Decides whether an address may be fetched from; tests of the fetch itself may widen it. */
    @FunctionalInterface
    public interface AddressPolicy {
        boolean allowed(InetAddress address);

        AddressPolicy PUBLIC_ONLY = PublicAddress::isPublic;
    }

    /** The ports a git URL may name unless the stack allows more ({@code GIT_URL_ALLOWED_PORTS}). */
    public static final Set<Integer> DEFAULT_PORTS = Set.of(443);

    private final AddressPolicy addresses;
    private final Set<Integer> allowedPorts;
    private final long maxFetchBytes;
    private final Duration timeLimit;
    private final boolean verifyTls;

    /** Only port 443: what {@link #standard} uses unless the stack allows more. */
    public GitUrlImport(AddressPolicy addresses, long maxFetchBytes, Duration timeLimit, boolean verifyTls) {
        this(addresses, DEFAULT_PORTS, maxFetchBytes, timeLimit, verifyTls);
    }

    public GitUrlImport(AddressPolicy addresses, Set<Integer> allowedPorts, long maxFetchBytes, Duration timeLimit,
                        boolean verifyTls) {
        this.addresses = addresses;
        this.allowedPorts = Set.copyOf(allowedPorts);
        this.maxFetchBytes = maxFetchBytes;
        this.timeLimit = timeLimit;
        this.verifyTls = verifyTls;
    }

    public static GitUrlImport standard(ImportLimits limits) {
        return standard(limits, DEFAULT_PORTS);
    }

    public static GitUrlImport standard(ImportLimits limits, Set<Integer> allowedPorts) {
        return new GitUrlImport(AddressPolicy.PUBLIC_ONLY, allowedPorts, limits.maxTotalBytes(), Duration.ofSeconds(20), true);
    }

    /**
     * {@code GIT_URL_ALLOWED_PORTS}: ports separated by commas ({@code "443,8443"}); blank or absent
     * is {@link #DEFAULT_PORTS}. A value that is not a list of ports 1–65535 stops the function's start.
     */
    public static Set<Integer> ports(String spec) {
        if (spec == null || spec.isBlank()) {
            return DEFAULT_PORTS;
        }
        Set<Integer> ports = new TreeSet<>();
        for (String p : spec.split(",")) {
            int port;
            try {
                port = Integer.parseInt(p.strip());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("GIT_URL_ALLOWED_PORTS must list ports separated by commas, not " + spec);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalStateException("GIT_URL_ALLOWED_PORTS holds " + port + ", which is not a port");
            }
            ports.add(port);
        }
        return Set.copyOf(ports);
    }

    /** Validates the URL (scheme, shape, resolved addresses) before anything is fetched. */
    public URI check(String gitUrl) {
        URI uri;
        try {
            uri = new URI(gitUrl);
        } catch (URISyntaxException e) {
            throw new DomainException(DomainError.GIT_URL_INVALID, "gitUrl is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https")) {
            throw new DomainException(DomainError.GIT_URL_SCHEME_NOT_ALLOWED,
                    "Only https:// git URLs are accepted" + (scheme.isEmpty() ? "" : ", not " + abbreviate(scheme) + ":"));
        }
        if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().length() < 2
                || uri.getRawQuery() != null || uri.getRawFragment() != null || gitUrl.length() > 2048) {
            throw new DomainException(DomainError.GIT_URL_INVALID,
                    "gitUrl must look like https://host/owner/repo(.git), without query or fragment");
        }
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        if (!allowedPorts.contains(port)) {
            throw new DomainException(DomainError.GIT_URL_INVALID, "gitUrl names port " + port
                    + "; git URLs may only use port " + allowedPorts.stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", ")) + " (the https default)");
        }
        InetAddress[] resolved;
        try {
            resolved = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new DomainException(DomainError.GIT_FETCH_FAILED, "The host " + uri.getHost() + " does not resolve");
        }
        for (InetAddress a : resolved) {
            if (!addresses.allowed(a)) {
                throw new DomainException(DomainError.GIT_URL_HOST_NOT_PUBLIC,
                        "The host " + uri.getHost() + " resolves to " + a.getHostAddress()
                                + ", which is not a public address");
            }
        }
        return uri;
    }

    /** Fetches {@code ref} of {@code gitUrl} and extracts its tree. The caller closes the tree. */
    public Fetched fetch(String gitUrl, String ref, Path tempParent, ImportLimits limits) {
        URI uri = check(gitUrl);
        String branchOrTag = ref == null || ref.isBlank() ? "main" : ref;
        if (!Repository.isValidRefName(Constants.R_HEADS + branchOrTag) || branchOrTag.length() > 200) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "ref must be a branch or tag name",
                    List.of(new FieldError("/ref", "is not a valid branch or tag name")));
        }
        String label = redact(uri);
        Path work = null;
        try {
            work = Files.createTempDirectory(tempParent, "slipway-git-");
            Path gitDir = work.resolve("repo.git");
            try (Git git = Git.init().setBare(true).setDirectory(gitDir.toFile()).call()) {
                StoredConfig config = git.getRepository().getConfig();
                config.setString("http", null, "followRedirects", "false");
                config.setBoolean("http", null, "sslVerify", verifyTls);
                config.setBoolean("fetch", null, "recurseSubmodules", false);
                config.save();
                // Credentials travel in a provider, never in the URL JGit sees: its messages and logs
                // quote the URL (a token is often the user name, which URIish.toString() keeps).
                ObjectId commitId = fetchRef(git, label, credentials(uri), branchOrTag, gitDir);
                TreeCollector collector = new TreeCollector(tempParent, limits);
                List<Finding> findings = new ArrayList<>();
                try {
                    feed(git.getRepository(), commitId, collector, findings);
                    ImportTree tree = collector.finish();
                    return new Fetched(tree, findings, label + " (" + branchOrTag + " at " + commitId.abbreviate(12).name() + ")",
                            origin(git.getRepository(), commitId));
                } finally {
                    collector.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new DomainException(DomainError.GIT_FETCH_FAILED, "Could not read " + label);
        } finally {
            ImportTree.deleteTree(work);
        }
    }

    private static CredentialsProvider credentials(URI uri) {
        String info = uri.getUserInfo();
        if (info == null || info.isEmpty()) {
            return null;
        }
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        String pass = colon < 0 ? "" : info.substring(colon + 1);
        return new UsernamePasswordCredentialsProvider(user, pass);
    }

    private static Origin origin(Repository repo, ObjectId commitId) throws IOException {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            org.eclipse.jgit.revwalk.RevCommit c = walk.parseCommit(commitId);
            org.eclipse.jgit.lib.PersonIdent a = c.getAuthorIdent();
            return new Origin(commitId.name(), a.getName(), a.getEmailAddress(), a.getWhenAsInstant(), c.getFullMessage());
        }
    }

    private ObjectId fetchRef(Git git, String label, CredentialsProvider credentials,
                              String ref, Path gitDir) throws GitAPIException, IOException {
        String url = label;
        Watchdog watchdog = new Watchdog(gitDir, maxFetchBytes, timeLimit);
        for (String prefix : List.of(Constants.R_HEADS, Constants.R_TAGS)) {
            String remote = prefix + ref;
            try {
                var result = git.fetch().setRemote(url).setCredentialsProvider(credentials)
                        .setRefSpecs(new RefSpec("+" + remote + ":refs/slipway/fetched"))
                        .setDepth(1)
                        .setTagOpt(TagOpt.NO_TAGS)
                        .setRecurseSubmodules(SubmoduleConfig.FetchRecurseSubmodulesMode.NO)
                        .setTimeout((int) Math.max(1, timeLimit.toSeconds()))
                        .setProgressMonitor(watchdog)
                        .call();
                // The watchdog samples every 100 ms; a fetch faster than that is measured once at the end.
                if (watchdog.measureNow()) {
                    throw new DomainException(DomainError.GIT_FETCH_TOO_LARGE,
                            label + " is larger than " + maxFetchBytes + " bytes");
                }
                Ref fetched = git.getRepository().exactRef("refs/slipway/fetched");
                if (fetched != null && result.getAdvertisedRef(remote) != null) {
                    return fetched.getObjectId();
                }
            } catch (TransportException e) {
                if (watchdog.tooLarge) {
                    throw new DomainException(DomainError.GIT_FETCH_TOO_LARGE,
                            label + " is larger than " + maxFetchBytes + " bytes");
                }
                if (watchdog.tooSlow) {
                    throw new DomainException(DomainError.GIT_FETCH_TIMEOUT,
                            "Fetching " + label + " took longer than " + timeLimit.toSeconds() + " s");
                }
                String m = String.valueOf(e.getMessage());
                if (m.contains("Remote does not have") || m.contains("not found in remote") || m.contains("want")) {
                    continue; // not a branch of that name: try a tag
                }
                throw new DomainException(DomainError.GIT_FETCH_FAILED, "Could not fetch " + label
                        + ": the repository does not exist, is private, or does not speak git over https");
            } catch (InvalidRemoteException e) {
                throw new DomainException(DomainError.GIT_FETCH_FAILED, "Could not fetch " + label);
            }
        }
        throw new DomainException(DomainError.GIT_REF_NOT_FOUND, label + " has no branch or tag named " + ref);
    }

    private static void feed(Repository repo, ObjectId commitId, TreeCollector collector, List<Finding> findings)
            throws IOException {
        try (RevWalk walk = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
            RevCommit commit = walk.parseCommit(commitId);
            tw.addTree(commit.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                FileMode mode = tw.getFileMode(0);
                String path = tw.getPathString();
                if (mode == FileMode.GITLINK) {
                    findings.add(new Finding("git-submodule-skipped", Finding.WARNING, path, null, null,
                            "Submodule " + path + " was not fetched; vendor its files into the repository if the app needs them"));
                } else if (mode == FileMode.SYMLINK) {
                    collector.addSymlink(path);
                } else {
                    ObjectLoader blob = repo.open(tw.getObjectId(0), Constants.OBJ_BLOB);
                    try (InputStream in = blob.openStream()) {
                        collector.addFile(path, mode == FileMode.EXECUTABLE_FILE, in);
                    }
                }
            }
        }
    }

    /** The URL as it may be shown: no user info (tokens), no query. */
    public static String redact(URI uri) {
        String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
        return "https://" + uri.getHost() + port + uri.getRawPath();
    }

    private static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }

    /** Cancels a fetch that writes more than the limit or runs past the deadline. */
    private static final class Watchdog implements ProgressMonitor {
        private final Path dir;
        private final long maxBytes;
        private final long deadline;
        private long nextCheck;
        volatile boolean tooLarge;
        volatile boolean tooSlow;

        Watchdog(Path dir, long maxBytes, Duration limit) {
            this.dir = dir;
            this.maxBytes = maxBytes;
            this.deadline = System.nanoTime() + limit.toNanos();
        }

        @Override
        public boolean isCancelled() {
            long now = System.nanoTime();
            if (now > deadline) {
                tooSlow = true;
                return true;
            }
            if (now < nextCheck) {
                return false;
            }
            nextCheck = now + 100_000_000L;
            return measureNow();
        }

        /** Sums what the fetch has written so far; true when it is over the limit. */
        boolean measureNow() {
            try (Stream<Path> files = Files.walk(dir)) {
                long size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                tooLarge = size > maxBytes;
            } catch (IOException | UncheckedIOException ignored) {
                // files come and go while git writes; check again next time
            }
            return tooLarge;
        }

        @Override public void start(int totalTasks) { }
        @Override public void beginTask(String title, int totalWork) { }
        @Override public void update(int completed) { }
        @Override public void endTask() { }
        @Override public void showDuration(boolean enabled) { }
    }
}
