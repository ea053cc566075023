package dev.slipway.shared.deploy.build;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.DependencyCacheKey;
import dev.slipway.shared.deploy.build.sandbox.BuildSandbox;
import dev.slipway.shared.deploy.build.sandbox.Bubblewrap;
import dev.slipway.shared.deploy.build.sandbox.EgressProxy;
import dev.slipway.shared.deploy.build.sandbox.Unavailable;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds an app locally, doing what the CodeBuild project does in AWS: install the dependencies with the
 * package manager its lockfile names, run the build command, check the output directory.
 *
 * <h2>Steps</h2>
 * <ol>
 *   <li>Package manager: {@link BuildSettings#packageManager()} if set, else from the lockfile
 *       ({@code package-lock.json}/{@code npm-shrinkwrap.json} → {@code npm ci --replace-registry-host=always},
 *       {@code yarn.lock} → yarn, {@code pnpm-lock.yaml} → pnpm, {@code bun.lock(b)} → bun), else
 *       {@code npm install} (noted in the log). yarn/pnpm run through corepack (or {@code npx --yes pm@major});
 *       a missing tool is a failed outcome with the reason. Install/build command overrides are run by
 *       {@code sh -c}; the default build is {@code <pm> run build}, the default output dir {@code dist}.</li>
 *   <li>Dependency cache ({@link DependencyCache}): keyed by sha256 of lockfile bytes + package manager + Node
 *       major + platform (+ install override). A hit restores {@code node_modules} by hard links and skips the
 *       install; a miss installs, then publishes the fresh {@code node_modules} before the build runs. No
 *       lockfile, or a workspace (monorepo) app: no cache.</li>
 *   <li>Environment: built from scratch — {@code PATH}, locale/TZ, CA and proxy settings and
 *       {@code npm_config_registry} from this process; {@code HOME} and {@code TMPDIR} in a per-build work
 *       folder under {@code cacheRoot/work}; {@code CI=true}; package-manager caches under {@code cacheRoot};
 *       then the app's own variables. Nothing else is inherited (no {@code AWS_*}, {@code SLIPWAY_*}, …).</li>
 *   <li>Time limit: one deadline for install + build; when it passes, the whole process tree is killed
 *       (descendants first collected, then all destroyed forcibly).</li>
 *   <li>Log: stdout+stderr merged, a header per phase, app variable values (≥ 4 chars) and token-like strings
 *       redacted, capped at {@link #MAX_LOG_BYTES}.</li>
 *   <li>Output: checked by {@link OutputDirectory} (inside the app, no escaping symlinks, not empty).</li>
 * </ol>
 * Builds run in place in {@code sourceDir}; a stale {@code node_modules} or output dir there is removed first.
 * Instances are thread-safe; concurrent builds must use different source dirs.
 */
public final class LocalBuildRunner {
    public static final long MAX_LOG_BYTES = 5L * 1024 * 1024;
    public static final int DEFAULT_MAX_CACHE_ENTRIES = 5;

    /** Variables passed through from this process: nothing secret, needed for the tools to work. */
    static final List<String> PASSED_THROUGH = List.of(
            "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM",
            "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR",
            "npm_config_registry", "NPM_CONFIG_REGISTRY",
            "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT");
    /** Proxy variables are passed through too, but may carry credentials: they are redacted in the log. */
    static final List<String> PROXIES = List.of(
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy");

    private final Path cacheRoot;
    private final Duration timeLimit;
    private final int maxCacheEntries;
    private final Map<String, String> parentEnv;
    /** Registries the owner configured for this machine may be private; app variables cannot widen this. */
    private final List<String> registries;
    private final BuildSandbox sandbox;
    private final NodeRuntimes nodeRuntimes;

    /** A runner whose builds run in this machine's sandbox ({@link #defaultSandbox()}). */
    public LocalBuildRunner(Path cacheRoot, Duration timeLimit) {
        this(cacheRoot, timeLimit, defaultSandbox());
    }

    public LocalBuildRunner(Path cacheRoot, Duration timeLimit, BuildSandbox sandbox) {
        this(cacheRoot, timeLimit, DEFAULT_MAX_CACHE_ENTRIES, System.getenv(), sandbox);
    }

    LocalBuildRunner(Path cacheRoot, Duration timeLimit, int maxCacheEntries, Map<String, String> parentEnv,
                     BuildSandbox sandbox) {
        this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot").toAbsolutePath().normalize();
        this.timeLimit = Objects.requireNonNull(timeLimit, "timeLimit");
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("timeLimit must be positive");
        }
        this.maxCacheEntries = maxCacheEntries;
        this.parentEnv = Map.copyOf(parentEnv);
        this.registries = registries(this.parentEnv);
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
        this.nodeRuntimes = new NodeRuntimes(this.cacheRoot, this.parentEnv, configuredRegistry());
    }

    private static volatile BuildSandbox detected;

    /** Bubblewrap if this machine has it (probed once per JVM), else {@link Unavailable} saying what to install. */
    public static BuildSandbox defaultSandbox() {
        BuildSandbox s = detected;
        if (s == null) {
            s = BuildSandbox.detect(System.getenv());
            detected = s;
        }
        return s;
    }

    public BuildSandbox sandbox() {
        return sandbox;
    }

    /** Builds {@code job}. Build failures are outcomes; IOException only for trouble with the log, cache or work dirs. */
    public BuildOutcome build(BuildJob job) throws IOException {
        long deadline = System.nanoTime() + timeLimit.toNanos();
        Path source = job.sourceDir().toAbsolutePath().normalize();
        Path work = cacheRoot.resolve("work").resolve(UUID.randomUUID().toString());
        Path packageCaches = cacheRoot.resolve("packages").resolve(job.cacheNamespace());
        BuildSandbox.Mounts base = new BuildSandbox.Mounts(source, work.resolve("home"), work.resolve("tmp"), packageCaches,
                null, work.resolve("node-modules-scratch"), null);
        Map<String, String> env = environmentFor(job, sandbox.view(base));
        Map<String, String> secrets = new LinkedHashMap<>(job.environment());
        for (String proxy : PROXIES) {
            if (parentEnv.containsKey(proxy)) {
                secrets.put(proxy, parentEnv.get(proxy));
            }
        }
        try (BuildLog log = new BuildLog(job.logFile(), new LogRedactor(secrets), MAX_LOG_BYTES)) {
            log.note("build sandbox: " + sandbox.description());
            job.notes().forEach(log::note);
            if (sandbox instanceof Unavailable unavailable) {
                return failed(log, unavailable.message(), false, null, 0, 0);
            }
            Files.createDirectories(base.home());
            String token = job.environment().get(REGISTRY_TOKEN);
            if (token != null && !token.isBlank()) {
                // npm expands ${NPM_TOKEN} itself: the value is never written to disk
                String host = registryFor(job).replaceFirst("^[a-z]+:", "");
                Files.writeString(base.home().resolve(NPMRC), host + "/:_authToken=${" + REGISTRY_TOKEN + "}\n");
            }
            Files.createDirectories(base.tmp());
            Files.createDirectories(packageCaches);
            try (EgressProxy egress = sandbox.needsEgressProxy() ? EgressProxy.start(registries) : null) {
                Build build = new Build(job, base, env, log, deadline, egress,
                        new DependencyCache(cacheRoot.resolve("deps").resolve(job.cacheNamespace()), maxCacheEntries));
                return run(build);
            } finally {
                log.flush();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    /** The registry {@code job} installs from: its settings' (the app's or the stack's), else the machine's. */
    private String registryFor(BuildJob job) {
        String r = job.settings().registry();
        return r == null || r.isBlank() ? configuredRegistry() : r.trim().replaceAll("/+$", "");
    }

    /** The app variable holding its registry's token (e.g. a CodeArtifact authorization token). */
    public static final String REGISTRY_TOKEN = "NPM_TOKEN";
    /** In the build's home: the npmrc naming the token for the build's registry. */
    private static final String NPMRC = ".slipway-npmrc";

    /** The registry this machine's npm uses (its {@code npm_config_registry}), else the public one. */
    private String configuredRegistry() {
        return registries.isEmpty() ? "https://registry.npmjs.org" : registries.get(0).replaceAll("/+$", "");
    }

    private static List<String> registries(Map<String, String> parentEnv) {
        List<String> r = new ArrayList<>();
        for (String name : List.of("npm_config_registry", "NPM_CONFIG_REGISTRY")) {
            String v = parentEnv.get(name);
            if (v != null && !v.isBlank()) {
                r.add(v);
            }
        }
        return List.copyOf(r);
    }

    /** One build's state: what the phases share. */
    private final class Build {
        private final BuildJob job;
        private final BuildSandbox.Mounts base;
        private final Map<String, String> env;
        private final BuildLog log;
        private final long deadline;
        private final EgressProxy egress;
        private final DependencyCache cache;
        /** A Node.js fetched for this build (NodeRuntimes), or null for the machine's. */
        private Path nodeHome;

        Build(BuildJob job, BuildSandbox.Mounts base, Map<String, String> env, BuildLog log, long deadline,
              EgressProxy egress, DependencyCache cache) {
            this.job = job;
            this.base = base;
            this.env = env;
            this.log = log;
            this.deadline = deadline;
            this.egress = egress;
            this.cache = cache;
        }

        Phase phase(String command, Path readOnlyNodeModules) throws IOException {
            BuildSandbox.Mounts mounts = mounts(readOnlyNodeModules);
            ProcessBuilder pb;
            try {
                pb = sandbox.process(mounts, command, env, egress);
            } catch (IOException e) {
                log.output("could not prepare the build sandbox: " + e.getMessage());
                return new Phase(127, false);
            }
            if (egress != null) {
                egress.resetSummary();
            }
            Phase phase = Phase.run(pb, log, deadline);
            if (egress != null) {
                egress.summary().forEach(log::note);
            }
            return phase;
        }

        BuildSandbox.Mounts mounts(Path readOnlyNodeModules) {
            return new BuildSandbox.Mounts(base.app(), base.home(), base.tmp(), base.packageCaches(),
                    readOnlyNodeModules, base.nodeModulesScratch(), nodeHome);
        }

        /** Writes {@code name} into the build's shim folder (first on PATH, added on first use). */
        void shim(String name, String command) throws IOException {
            Path shims = base.home().resolve(SHIMS);
            Files.createDirectories(shims);
            Path shim = shims.resolve(name);
            Files.writeString(shim, "#!/bin/sh\nexec " + command + " \"$@\"\n");
            shim.toFile().setExecutable(true);
            String dir = sandbox.view(base).home() + "/" + SHIMS;
            if (!env.get("PATH").startsWith(dir + File.pathSeparator)) {
                env.put("PATH", dir + File.pathSeparator + env.get("PATH"));
            }
        }
    }

    private BuildOutcome run(Build b) throws IOException {
        BuildJob job = b.job;
        Path source = b.base.app();
        Map<String, String> env = b.env;
        BuildLog log = b.log;
        DependencyCache cache = b.cache;
        BuildSettings settings = job.settings();
        if (!Files.isDirectory(source)) {
            return failed(log, "source dir " + source + " does not exist", false, null, 0, 0);
        }
        // an app whose backend is Python fails here, naming what is missing (server-package.cjs check)
        String script = writeServerScript(b);
        Phase check = b.phase(ServerPackaging.command(script, "check", null), null);
        if (check.exitCode() != 0) {
            return failed(log, lastLine(log, "the server check failed"), false, null, 0, 0);
        }
        boolean noPackageJson = !Files.isRegularFile(source.resolve("package.json"));
        if (noPackageJson && settings.outputDir() != null && settings.outputDir().trim().equals(".")
                && settings.installCommand() == null && settings.buildCommand() == null) {
            return staticSite(source, log);
        }
        OutputDirectory.Setting outSetting = OutputDirectory.parse(settings.outputDir());
        if (outSetting instanceof OutputDirectory.Invalid invalid) {
            return failed(log, invalid.reason(), false, null, 0, 0);
        }
        Path outRel = ((OutputDirectory.Ok) outSetting).relative();
        if (noPackageJson) {
            return failed(log, "no package.json at the top of the app", false, null, 0, 0);
        }
        // what to run: the one plan the buildspec is checked against (BuildPlan, TemplateAwsSpecTest)
        Optional<BuildPlan> planned = BuildPlan.of(source, settings, env.get("PATH"));
        if (planned.isEmpty()) {
            return failed(log, "unknown package manager '" + settings.packageManager()
                    + "' (supported: npm, yarn, pnpm, bun)", false, null, 0, 0);
        }
        BuildPlan plan = planned.get();
        PackageManager pm = PackageManager.detect(source, plan.packageManager()).orElseThrow().pm();
        Path lockfile = plan.lockfile();
        NodeVersion machineNode = NodeVersion.of(env);
        if (machineNode == null) {
            return failed(log, "node is not on PATH (or `node --version` failed)", false, null, 0, 0);
        }
        NodeRuntimes.Runtime node;
        try {
            node = nodeRuntimes.select(settings.nodeVersion(), machineNode.full(), machineNode.major(), log);
        } catch (NodeRuntimes.UnavailableException e) {
            return failed(log, e.getMessage(), false, null, 0, 0);
        }
        Optional<String> launcher = plan.launcher();
        boolean overridesBoth = settings.installCommand() != null && settings.buildCommand() != null;
        if (launcher.isEmpty() && !overridesBoth) {
            return failed(log, pm.unavailableReason(), false, null, 0, 0);
        }
        if (plan.needsShim()) {
            // `pnpm …` in the detected commands and in the app's own scripts runs the version the builder used
            b.shim(pm.id, launcher.get());
            log.note(pm.id + " is not on PATH: `" + pm.id + "` runs `" + launcher.get() + "`");
        }
        if (pm == PackageManager.PNPM) {
            // npm's flat layout: pnpm's linked one (symlinks into node_modules/.pnpm) cannot ride in a server bundle of
            // plain copies (a real v0 Next.js export's server missed styled-jsx). In pnpm's own rc, which npm (npx runs
            // pnpm) does not read and so does not warn about; an app's .npmrc still wins. The buildspec writes the same.
            Path rc = b.base.home().resolve(PNPM_RC);
            Files.createDirectories(rc.getParent());
            Files.writeString(rc, "node-linker=hoisted\n");
        }
        if (!node.isMachines()) {
            // npm and npx themselves stay on the machine's node (npm 11 warns on Node 18 and would refuse older
            // ones); everything they run (scripts, install scripts, `node`) finds the app's Node first on PATH
            String[] npmCli = npmOnNode(env.get("PATH"));
            if (npmCli != null) {
                b.shim("npm", "'" + npmCli[0] + "' '" + npmCli[1] + "'");
                b.shim("npx", "'" + npmCli[0] + "' '" + npmCli[2] + "'");
            }
            b.nodeHome = node.home();
            env.put("PATH", sandbox.view(b.mounts(null)).nodeHome() + "/bin" + File.pathSeparator + env.get("PATH"));
        }
        String installCommand = plan.installCommand();
        String buildCommand = plan.buildCommand();

        log.note("Slipway local build: package manager " + pm.id
                + (lockfile != null ? " (from " + lockfile.getFileName() + ")" : "")
                + ", Node " + node.full() + ", output dir " + outRel);
        if (settings.nodeVersion() != null && NodeRuntimes.requestedMajor(settings.nodeVersion()) < 0) {
            log.note("the app asks for Node " + settings.nodeVersion() + " (no major version): building with Node " + node.full());
        }
        if (lockfile == null) {
            log.note("no lockfile found: running `" + installCommand + "`; dependency versions are not pinned"
                    + " and the dependency cache is not used");
        }

        String key = lockfile == null ? null : cacheKey(lockfile, pm, node.major(), settings.installCommand());
        boolean cacheable = key != null && !isWorkspace(source);
        if (key != null && !cacheable) {
            log.note("workspace (monorepo) app: the dependency cache is not used");
        }
        Path nodeModules = source.resolve("node_modules");
        if (Files.exists(nodeModules, LinkOption.NOFOLLOW_LINKS)) {
            log.note("removing the node_modules that came with the source");
            FileTrees.delete(nodeModules);
        }

        // install (or take the cached node_modules)
        boolean hit = false;
        Path readOnlyNodeModules = null;
        boolean bindsCache = sandbox instanceof Bubblewrap;
        long installStart = System.nanoTime();
        if (cacheable) {
            if (bindsCache) {
                readOnlyNodeModules = cache.entry(key);
                hit = readOnlyNodeModules != null;
            } else {
                hit = cache.restoreCopy(key, nodeModules);
            }
        }
        long installMillis;
        Path written = null;
        if (hit) {
            installMillis = millisSince(installStart);
            log.note("dependency cache hit (" + key.substring(0, 12) + "): node_modules "
                    + (bindsCache ? "mounted read-only" : "copied") + " in " + installMillis + " ms, install skipped");
        } else {
            if (cacheable) {
                log.note("dependency cache miss (" + key.substring(0, 12) + ")");
            }
            log.note("install: " + installCommand);
            Phase install = b.phase(installCommand, null);
            installMillis = millisSince(installStart);
            if (install.timedOut()) {
                return failed(log, timeLimitReason("install"), false, key, installMillis, 0);
            }
            if (install.exitCode() != 0) {
                return failed(log, exitReason(installCommand, install, log), false, key, installMillis, 0);
            }
            log.note("install finished in " + installMillis + " ms");
            if (lockfile == null) {
                written = writtenLockfile(source, pm);
                if (written != null) {
                    log.note("the install wrote " + written.getFileName() + ": it is offered as a commit"
                            + " (POST /apps/{appId}/deployments/{deploymentId}/lockfile-commit)");
                }
            }
            if (cacheable && Files.isDirectory(nodeModules, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    long t = System.nanoTime();
                    boolean stored = cache.store(key, nodeModules);
                    log.note(stored ? "dependency cache saved (" + key.substring(0, 12) + ") in " + millisSince(t) + " ms"
                            : "dependency cache entry already saved by another build");
                    if (bindsCache) {
                        // the build itself gets the entry read-only too: what it changes cannot reach the cache
                        Path entry = cache.entry(key);
                        if (entry != null) {
                            FileTrees.delete(nodeModules);
                            readOnlyNodeModules = entry;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    log.note("warning: dependency cache not saved: " + e);
                }
            }
        }

        // build
        Path out = source.resolve(outRel);
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            log.note("removing the existing output dir " + outRel + " before the build");
            FileTrees.delete(out);
        }
        log.note("build: " + buildCommand);
        long buildStart = System.nanoTime();
        Phase build = b.phase(buildCommand, readOnlyNodeModules);
        long buildMillis = millisSince(buildStart);
        if (build.timedOut()) {
            return failed(log, timeLimitReason("build"), hit, key, installMillis, buildMillis);
        }
        if (build.exitCode() != 0) {
            return failed(log, exitReason(buildCommand, build, log), hit, key, installMillis, buildMillis);
        }
        // the app's server, when it has one: its static files become the output, its bundle is zipped into it
        Phase pack = b.phase(ServerPackaging.command(script, "package", outRel.toString().replace(File.separatorChar, '/')),
                readOnlyNodeModules);
        if (pack.exitCode() != 0) {
            return failed(log, lastLine(log, "server packaging failed"), hit, key, installMillis, buildMillis);
        }
        try {
            ServerPackaging.Packaged server = ServerPackaging.finish(source, node.major());
            if (server != null) {
                outRel = server.relativeStaticDir();
                out = source.resolve(outRel);
                log.note("server: " + server.framework() + ", node " + server.entry() + " (Node " + node.major() + "), "
                        + server.unzippedBytes() + " bytes unzipped");
            }
        } catch (IllegalArgumentException e) {
            return failed(log, e.getMessage(), hit, key, installMillis, buildMillis);
        }
        String outputProblem = OutputDirectory.check(source, outRel);
        if (outputProblem != null) {
            return failed(log, outputProblem, hit, key, installMillis, buildMillis);
        }
        log.note("build succeeded: install " + installMillis + " ms" + (hit ? " (cache hit)" : "")
                + ", build " + buildMillis + " ms, output in " + outRel);
        return new BuildOutcome(true, out.toRealPath(), null, hit, key, installMillis, buildMillis, written);
    }

    /**
     * A static site (no package.json, output dir {@code .}, as the import detects a plain index.html export):
     * nothing to install or build; the app's own files are the site, checked like any build output.
     */
    private static BuildOutcome staticSite(Path source, BuildLog log) throws IOException {
        log.note("static site (no package.json): nothing to install or build; the app's files are the site");
        Path site = source.resolve(STATIC_SITE_DIR);
        Files.createDirectory(site);
        try (Stream<Path> entries = Files.list(source)) {
            for (Path entry : entries.toList()) {
                if (!entry.equals(site)) {
                    Files.move(entry, site.resolve(entry.getFileName().toString()), LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        String problem = OutputDirectory.check(source, Path.of(STATIC_SITE_DIR));
        if (problem != null) {
            return failed(log, problem, false, null, 0, 0);
        }
        log.note("build succeeded: a static site");
        return new BuildOutcome(true, site.toRealPath(), null, false, null, 0, 0);
    }

    /** The server packaging script, in the build's home (where the sandbox shows it); its path as the build sees it. */
    private String writeServerScript(Build b) throws IOException {
        Path dir = b.base.home().resolve(SHIMS);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(ServerPackaging.SCRIPT), ServerPackaging.script());
        return sandbox.view(b.base).home() + "/" + SHIMS + "/" + ServerPackaging.SCRIPT;
    }

    /** The script's own one-line reason (its last log line), else {@code fallback}. */
    private static String lastLine(BuildLog log, String fallback) {
        List<String> tail = log.tail();
        for (int i = tail.size() - 1; i >= 0; i--) {
            String line = tail.get(i).strip();
            if (line.startsWith("server packaging: ")) {
                return line.substring("server packaging: ".length());
            }
        }
        return fallback + tailOf(log, fallback.length());
    }

    private static final String STATIC_SITE_DIR = ".slipway-static-site";
    /** In the build's home: the package manager's shim when it is not on PATH itself. */
    private static final String SHIMS = ".slipway-bin";
    /** pnpm's user config file under the build's home (XDG_CONFIG_HOME is ~/.config). */
    static final String PNPM_RC = ".config/pnpm/rc";

    /**
     * The build's whole environment, its paths as the build sees them ({@code view}): nothing is inherited but
     * {@link #PASSED_THROUGH}; in a sandbox the network settings point at the egress relay (the host's proxy
     * settings would not work in there; the egress proxy is the way out).
     */
    Map<String, String> environmentFor(BuildJob job, BuildSandbox.View view) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : PASSED_THROUGH) {
            String v = parentEnv.get(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        if (!sandbox.needsEgressProxy()) {
            for (String name : PROXIES) {
                String v = parentEnv.get(name);
                if (v != null) {
                    env.put(name, v);
                }
            }
        }
        env.putAll(job.environment());
        String registry = registryFor(job);
        if (job.settings().registry() != null) {
            // the app's (or the stack's) registry, as ExportSource chose it: for every package manager
            env.remove("NPM_CONFIG_REGISTRY");
            env.put("npm_config_registry", registry);
        }
        env.put("PATH", parentEnv.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("CI", "true");
        // Next.js builds its standalone server (Next's own default for `output` when next.config sets none)
        env.put("NEXT_PRIVATE_STANDALONE", "true");
        env.put("NEXT_TELEMETRY_DISABLED", "1");
        // Nitro (TanStack Start, Nuxt …) builds a Node server, its own default; a config's defaultPreset gives way
        // (Lovable's TanStack template defaults to cloudflare-module, which node cannot run), an explicit preset or the
        // app's own NITRO_PRESET wins (the buildspec sets the same)
        env.putIfAbsent("NITRO_PRESET", "node-server");
        env.put("HOME", view.home());
        env.put("TMPDIR", view.tmp());
        String caches = view.packageCaches();
        env.put("npm_config_cache", caches + "/npm-cache");
        env.put("npm_config_update_notifier", "false");
        env.put("npm_config_fund", "false");
        env.put("npm_config_audit", "false");
        // plain logs (the API serves them as text), and a registry that cannot be reached fails in seconds,
        // not after npm's minute of retries (the buildspec sets the same)
        env.put("NO_COLOR", "1");
        env.put("npm_config_color", "false");
        env.put("npm_config_fetch_retries", "1");
        env.put("npm_config_fetch_retry_mintimeout", "2000");
        env.put("npm_config_fetch_retry_maxtimeout", "5000");
        env.put("YARN_CACHE_FOLDER", caches + "/yarn-cache");
        // yarn 2+ keeps its cache in its global folder (enableGlobalCache): the app's caches, not the build's home
        env.put("YARN_GLOBAL_FOLDER", caches + "/yarn-berry");
        env.put("BUN_INSTALL_CACHE_DIR", caches + "/bun-cache");
        if (!registries.isEmpty() || job.settings().registry() != null) {
            // a registry configured for this machine or the app: yarn 2+ (default registry.yarnpkg.com) and bun use it too
            env.put("YARN_NPM_REGISTRY_SERVER", registry);
            env.put("BUN_CONFIG_REGISTRY", registry);
        }
        String token = job.environment().get(REGISTRY_TOKEN);
        if (token != null && !token.isBlank()) {
            // the app's registry token (an app variable: stored encrypted, redacted in the log); npm, pnpm and bun
            // read it from the build's own npmrc (written by the runner), yarn 2+ from its variable
            env.put("npm_config_userconfig", view.home() + "/" + NPMRC);
            env.put("YARN_NPM_AUTH_TOKEN", token);
        }
        // pnpm's store (PNPM_HOME/store): not npm_config_store_dir, which npm (npx) warns about as unknown
        env.put("PNPM_HOME", caches + "/pnpm");
        env.put("COREPACK_HOME", caches + "/corepack");
        // corepack (an app's own scripts may call it) fetches every package manager from the npm registry:
        // its default for yarn 2+ (repo.yarnpkg.com) is one more host to reach
        env.put("COREPACK_NPM_REGISTRY", registry);
        env.put("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0");
        env.put("COREPACK_ENABLE_STRICT", "0");
        if (sandbox.needsEgressProxy()) {
            String proxy = "http://127.0.0.1:" + Bubblewrap.PROXY_PORT;
            for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
                    "npm_config_proxy", "npm_config_https_proxy", "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY")) {
                env.put(name, proxy);
            }
            // the sandbox's own loopback (a build that serves and fetches its own pages) stays direct
            env.put("NO_PROXY", "localhost,127.0.0.1,::1");
            env.put("no_proxy", "localhost,127.0.0.1,::1");
        }
        return env;
    }

    static String cacheKey(Path lockfile, PackageManager pm, int nodeMajor, String installOverride) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(lockfile));
            // package.json's install scripts and the registry settings change what an install writes too
            for (String name : DependencyCacheKey.INSTALL_INPUTS) {
                Path input = lockfile.resolveSibling(name);
                if (Files.isRegularFile(input, LinkOption.NOFOLLOW_LINKS)) {
                    sha.update(("\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(input));
                }
            }
            String rest = "\n" + pm.id + "\nnode" + nodeMajor + "\n" + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + "\n" + (installOverride == null ? "" : installOverride);
            sha.update(rest.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {node, npm-cli.js, npx-cli.js} of the machine's npm as real paths, or null when npm is not that layout. */
    private static String[] npmOnNode(String path) {
        try {
            Path node = onPath("node", path);
            Path npm = onPath("npm", path);
            if (node == null || npm == null) {
                return null;
            }
            Path cli = npm.toRealPath();
            Path npx = cli.resolveSibling("npx-cli.js");
            String[] r = {node.toRealPath().toString(), cli.toString(), npx.toString()};
            boolean usable = cli.getFileName().toString().equals("npm-cli.js") && Files.isRegularFile(npx)
                    && Stream.of(r).noneMatch(s -> s.contains("'"));
            return usable ? r : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Path onPath(String name, String path) {
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name)) && !Files.isDirectory(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }

    /** The lockfile {@code pm} wrote at the app's root: a regular file (not a link) of at most 50 MiB, or null. */
    private static Path writtenLockfile(Path source, PackageManager pm) {
        for (String name : pm.lockfiles) {
            Path p = source.resolve(name);
            try {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) <= MAX_LOCKFILE_BYTES) {
                    return p;
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** The largest lockfile a build hands back as a commit. */
    public static final long MAX_LOCKFILE_BYTES = 50L << 20;

    private static boolean isWorkspace(Path source) {
        if (Files.exists(source.resolve("pnpm-workspace.yaml"))) {
            return true;
        }
        try {
            return Files.readString(source.resolve("package.json")).contains("\"workspaces\"");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private String timeLimitReason(String phase) {
        long s = timeLimit.toSeconds();
        String limit = s > 0 ? s + " s" : timeLimit.toMillis() + " ms";
        return "build exceeded the time limit of " + limit + " (killed during " + phase + ")";
    }

    private static String exitReason(String command, Phase phase, BuildLog log) {
        String head = log.redact(command) + " exited with status " + phase.exitCode();
        return head + tailOf(log, head.length());
    }

    private static String tailOf(BuildLog log, int used) {
        List<String> tail = new ArrayList<>(log.tail());
        String intro = "\nlast log lines:\n";
        int budget = BuildOutcome.MAX_REASON_CHARS - used - intro.length();
        StringBuilder sb = new StringBuilder();
        for (int i = tail.size() - 1; i >= 0; i--) {
            String line = tail.get(i);
            if (line.length() > 300) {
                line = line.substring(0, 300) + "…";
            }
            if (sb.length() + line.length() + 1 > budget) {
                break;
            }
            sb.insert(0, line + "\n");
        }
        if (sb.isEmpty()) {
            return "";
        }
        sb.setLength(sb.length() - 1);
        return intro + sb;
    }

    private static BuildOutcome failed(BuildLog log, String reason, boolean hit, String key, long install, long build) {
        String redacted = reason.length() > BuildOutcome.MAX_REASON_CHARS
                ? reason.substring(0, BuildOutcome.MAX_REASON_CHARS) : reason;
        String firstLine = redacted.lines().findFirst().orElse(redacted);
        log.note("build failed: " + firstLine);
        return new BuildOutcome(false, null, redacted, hit, key, install, build);
    }

    private static long millisSince(long nanoStart) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoStart);
    }

    /** The node on the child PATH: asked once per PATH. */
    record NodeVersion(String full, int major) {
        private static final Map<String, NodeVersion> SEEN = new ConcurrentHashMap<>();

        static NodeVersion of(Map<String, String> env) {
            String path = env.getOrDefault("PATH", "");
            NodeVersion v = SEEN.get(path);
            if (v == null) {
                v = probe(env);
                if (v != null) {
                    SEEN.put(path, v);
                }
            }
            return v;
        }

        private static NodeVersion probe(Map<String, String> env) {
            try {
                ProcessBuilder pb = new ProcessBuilder("node", "--version").redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())));
                pb.environment().clear();
                pb.environment().put("PATH", env.getOrDefault("PATH", ""));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("v")) {
                    p.destroyForcibly();
                    return null;
                }
                return new NodeVersion(out, Integer.parseInt(out.substring(1).split("\\.")[0]));
            } catch (IOException | RuntimeException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    static String nullDevice() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "NUL" : "/dev/null";
    }
}
