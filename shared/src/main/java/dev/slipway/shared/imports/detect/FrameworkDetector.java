package dev.slipway.shared.imports.detect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.imports.findings.Finding;
import dev.slipway.shared.lockfile.LockfileInStep;
import dev.slipway.shared.lockfile.RegistryMapping;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Works out what kind of app an imported tree is and how to build it, from files on disk only
 * (nothing is executed). Never throws for a bad tree: problems become {@link Finding}s.
 *
 * <p>Framework, first match wins: {@code lovable} (dependency {@code lovable-tagger}, or a vite config
 * mentioning it); {@code bolt} (a {@code .bolt/} folder, unless the app is Next.js, which is then reported
 * as {@code nextjs}/{@code nextjs-static} because that decides how it is built and served); Next.js
 * ({@code nextjs-static} with {@code output: 'export'} in next.config.*, else {@code nextjs}, a server app, with an
 * informational {@code framework-server}); {@code vite}; {@code create-react-app}; {@code static} (no package.json,
 * an index.html at the root); else {@code unknown} (+ {@code framework-unknown}).
 *
 * <p>Files are read without following symlinks and only when at most 1 MiB.
 */
public final class FrameworkDetector {
    public static final long MAX_FILE_BYTES = 1L << 20;
    /** Used when nothing in the tree says which Node.js to use. */
    public static final String DEFAULT_NODE = "20";
    /** Even (LTS) majors, lowest first, that a build may run on. */
    static final int[] LTS_MAJORS = {18, 20, 22, 24};

    private static final List<String> VITE_CONFIGS = List.of(
            "vite.config.ts", "vite.config.js", "vite.config.mjs", "vite.config.mts", "vite.config.cjs", "vite.config.cts");
    private static final List<String> NEXT_CONFIGS = List.of(
            "next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs", "next.config.mts");
    /** Package manager → its lockfiles, in the order a lockfile decides (npm first). */
    private static final Map<String, List<String>> LOCKFILES = new LinkedHashMap<>();

    static {
        LOCKFILES.put("npm", List.of("package-lock.json", "npm-shrinkwrap.json"));
        LOCKFILES.put("pnpm", List.of("pnpm-lock.yaml"));
        LOCKFILES.put("yarn", List.of("yarn.lock"));
        LOCKFILES.put("bun", List.of("bun.lockb", "bun.lock"));
    }

    private static final Map<String, String> LTS_CODENAMES = Map.ofEntries(
            Map.entry("argon", "4"), Map.entry("boron", "6"), Map.entry("carbon", "8"), Map.entry("dubnium", "10"),
            Map.entry("erbium", "12"), Map.entry("fermium", "14"), Map.entry("gallium", "16"),
            Map.entry("hydrogen", "18"), Map.entry("iron", "20"), Map.entry("jod", "22"), Map.entry("krypton", "24"));
    /** What {@code lts/*} (and {@code lts}, {@code node}, {@code stable}) resolve to. */
    static final String CURRENT_LTS = "22";

    private static final Pattern OUT_DIR = Pattern.compile("\\boutDir\\s*:\\s*(['\"`])([^'\"`\\r\\n]+)\\1");
    private static final Pattern DIST_DIR = Pattern.compile("\\bdistDir\\s*:\\s*(['\"`])([^'\"`\\r\\n]+)\\1");
    private static final Pattern OUTPUT_EXPORT = Pattern.compile("\\boutput\\s*:\\s*(['\"`])export\\1");
    private static final Pattern SAFE_DIR = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern LINE_COMMENT = Pattern.compile("(?m)(^|[\\s;{},])//.*$");
    private static final Pattern LEADING_MAJOR = Pattern.compile("^v?(\\d+)(?:\\.|$|\\s)");

    private static final ObjectMapper PACKAGE_JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64).maxStringLength(1_000_000).maxNumberLength(100).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private FrameworkDetector() {
    }

    public static Detection detect(Path root) {
        return detect(root, null);
    }

    /** @param registryUrl the registry the app's builds install from (null: the public npm registry) */
    public static Detection detect(Path root, String registryUrl) {
        List<Finding> findings = new ArrayList<>();
        pythonBackend(root).ifPresent(findings::add);
        Path pkgPath = root.resolve("package.json");
        if (!exists(pkgPath)) {
            if (isRegularFile(root.resolve("index.html"))) {
                return new Detection("static", new BuildSettings(null, null, null, ".", null), findings);
            }
            List<String> below = packageJsonsOneLevelDown(root);
            findings.add(new Finding("framework-unknown", Finding.WARNING, below.isEmpty() ? null : below.get(0), null, null,
                    "No package.json and no index.html at the root, so Slipway cannot tell how to build or serve this app"
                            + (below.isEmpty() ? "." : "; " + String.join(", ", below) + " is one level down (builders such as"
                            + " Emergent keep the web app in a folder beside its backend): Slipway builds from the root, so"
                            + " import that folder's contents as the app.")));
            return new Detection("unknown", BuildSettings.NONE, findings);
        }

        JsonNode pkg = readPackageJson(pkgPath, findings);
        String nodeVersion = nodeVersion(root, pkg, findings);
        PackageManager pm = packageManager(root, pkg, findings);
        findings.addAll(LockfileRegistries.findings(root, new RegistryMapping(registryUrl)));
        if (pkg == null) {
            findings.add(new Finding("framework-unknown", Finding.WARNING, "package.json", null, null,
                    "The framework could not be detected because package.json could not be read; fix it or set the build settings by hand."));
            return new Detection("unknown", new BuildSettings(pm.name, pm.install, null, null, nodeVersion), findings);
        }

        String buildCommand = null;
        JsonNode build = pkg.path("scripts").path("build");
        if (build.isTextual() && !build.textValue().isBlank()) {
            buildCommand = switch (pm.name) {
                case "yarn" -> "yarn build";
                default -> pm.name + " run build";
            };
        } else {
            findings.add(new Finding("no-build-script", Finding.WARNING, "package.json", null, null,
                    "package.json has no \"build\" script, so Slipway does not know how to build the app; add one or set the build command."));
        }

        Set<String> deps = dependencies(pkg);
        String viteConfig = firstExisting(root, VITE_CONFIGS);
        String viteText = viteConfig == null ? null : readSmall(root.resolve(viteConfig));
        String viteCode = viteText == null ? "" : stripComments(viteText);

        String framework;
        String outputDir;
        if (deps.contains("lovable-tagger") || viteCode.contains("lovable-tagger")) {
            framework = "lovable";
            outputDir = viteOutDir(viteConfig, viteCode, findings);
        } else if (isDirectory(root.resolve(".bolt")) && !deps.contains("next")) {
            framework = "bolt";
            outputDir = viteOutDir(viteConfig, viteCode, findings);
        } else if (deps.contains("next")) {
            String nextConfig = firstExisting(root, NEXT_CONFIGS);
            String nextText = nextConfig == null ? null : readSmall(root.resolve(nextConfig));
            String nextCode = nextText == null ? "" : stripComments(nextText);
            String distDir = literal(DIST_DIR, nextCode);
            if (OUTPUT_EXPORT.matcher(nextCode).find()) {
                framework = "nextjs-static";
                outputDir = safeDir(distDir, "out", nextConfig, "distDir", findings);
            } else {
                framework = "nextjs";
                outputDir = safeDir(distDir, ".next", nextConfig, "distDir", findings);
                findings.add(new Finding("framework-server", Finding.INFO,
                        nextConfig != null ? nextConfig : "package.json", null, null,
                        "This Next.js app runs with a Node.js server (server components, route handlers, middleware): each release"
                                + " carries its standalone server, and its server-side variables are given to it at run time."));
            }
        } else if (deps.contains("vite") || viteConfig != null) {
            framework = "vite";
            outputDir = viteOutDir(viteConfig, viteCode, findings);
        } else if (deps.contains("react-scripts")) {
            framework = "create-react-app";
            outputDir = "build";
        } else {
            framework = "unknown";
            outputDir = null;
            findings.add(new Finding("framework-unknown", Finding.WARNING, "package.json", null, null,
                    "No supported framework (Vite, Create React App, Next.js) found in package.json; set the build command and output directory by hand."));
        }
        return new Detection(framework, new BuildSettings(pm.name, pm.install, buildCommand, outputDir, nodeVersion), findings);
    }

    /** Python backends Slipway cannot run yet (the build's server-package.cjs check fails a deploy with the same). */
    private static java.util.Optional<Finding> pythonBackend(Path root) {
        for (String dir : List.of("", "backend", "server", "api")) {
            for (String file : List.of("requirements.txt", "pyproject.toml", "Pipfile")) {
                String rel = dir.isEmpty() ? file : dir + "/" + file;
                String text = readSmall(root.resolve(rel));
                if (text == null) {
                    continue;
                }
                String lower = text.toLowerCase(Locale.ROOT);
                for (String framework : List.of("fastapi", "flask", "django", "uvicorn", "starlette")) {
                    if (lower.contains(framework)) {
                        return java.util.Optional.of(new Finding("python-backend-unsupported", Finding.CRITICAL, rel, null, null,
                                "This app has a Python backend (" + framework + " in " + rel + "), which Slipway cannot run yet"
                                        + " (it runs Node.js servers): a deploy fails naming it. Move the API to a Node.js server,"
                                        + " or run the backend elsewhere and deploy the front end alone."));
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    // ---- package.json ----

    private static JsonNode readPackageJson(Path p, List<Finding> findings) {
        String problem;
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                problem = "package.json is not a regular file";
            } else if (a.size() > MAX_FILE_BYTES) {
                problem = "package.json is larger than 1 MiB";
            } else {
                String text = readSmall(p);
                if (text == null) {
                    problem = "package.json could not be read";
                } else {
                    if (text.startsWith("\uFEFF")) {
                        text = text.substring(1);
                    }
                    JsonNode node = PACKAGE_JSON.readTree(text);
                    if (node != null && node.isObject()) {
                        return node;
                    }
                    problem = "package.json is not a JSON object";
                }
            }
        } catch (IOException | RuntimeException e) {
            problem = "package.json is not valid JSON";
        }
        findings.add(new Finding("package-json-invalid", Finding.WARNING, "package.json", null, null,
                problem + "; fix it so the app can be installed and built."));
        return null;
    }

    private static Set<String> dependencies(JsonNode pkg) {
        Set<String> names = new HashSet<>();
        for (String field : List.of("dependencies", "devDependencies")) {
            JsonNode deps = pkg.get(field);
            if (deps != null && deps.isObject()) {
                deps.fieldNames().forEachRemaining(names::add);
            }
        }
        return names;
    }

    // ---- package manager ----

    private record PackageManager(String name, String install) {
    }

    private static PackageManager packageManager(Path root, JsonNode pkg, List<Finding> findings) {
        List<String> withLock = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : LOCKFILES.entrySet()) {
            if (e.getValue().stream().anyMatch(f -> isRegularFile(root.resolve(f)))) {
                withLock.add(e.getKey());
            }
        }
        String declared = null;
        String declaredVersion = "";
        JsonNode field = pkg == null ? null : pkg.get("packageManager");
        if (field != null && field.isTextual()) {
            String v = field.textValue().strip();
            int at = v.indexOf('@');
            String name = (at < 0 ? v : v.substring(0, at)).toLowerCase(Locale.ROOT);
            if (LOCKFILES.containsKey(name)) {
                declared = name;
                declaredVersion = at < 0 ? "" : v.substring(at + 1);
            }
        }
        String inStep = declared == null && withLock.size() > 1 ? inStep(root, pkg, withLock) : null;
        String pm = declared != null ? declared : inStep != null ? inStep : withLock.isEmpty() ? "npm" : withLock.get(0);
        boolean hasLock = withLock.contains(pm);
        if (withLock.size() > 1) {
            findings.add(new Finding("multiple-lockfiles", Finding.INFO, null, null, null,
                    "Lockfiles for " + String.join(", ", withLock) + " are all present; Slipway uses " + pm
                            + (inStep != null && !inStep.equals(withLock.get(0))
                            ? " (its lockfile matches package.json; " + withLock.get(0) + "'s does not)" : "")
                            + ", so delete the others to keep one dependency tree."));
        }
        if (!hasLock) {
            findings.add(new Finding("no-lockfile", Finding.WARNING, null, null, null,
                    "No " + pm + " lockfile, so builds are not reproducible; run " + pm + " install and commit the lockfile."));
        }
        String install = switch (pm) {
            case "pnpm" -> hasLock ? "pnpm install --frozen-lockfile" : "pnpm install";
            case "yarn" -> !hasLock ? "yarn install"
                    : yarnBerry(root, declaredVersion) ? "yarn install --immutable" : "yarn install --frozen-lockfile";
            case "bun" -> hasLock ? "bun install --frozen-lockfile" : "bun install";
            default -> hasLock ? "npm ci" : "npm install";
        };
        return new PackageManager(pm, install);
    }

    /**
     * With several lockfiles and none declared: the first whose root entry matches package.json, when the first one
     * found does not (builders leave the lockfile of the tool they used before); null to keep the usual order.
     */
    private static String inStep(Path root, JsonNode pkg, List<String> withLock) {
        if (!matchesPackageJson(root, pkg, withLock.get(0)).equals(Optional.of(false))) {
            return null; // the usual choice is in step, or cannot be shown stale: keep it
        }
        for (String pm : withLock.subList(1, withLock.size())) {
            if (matchesPackageJson(root, pkg, pm).orElse(false)) {
                return pm;
            }
        }
        return null;
    }

    private static Optional<Boolean> matchesPackageJson(Path root, JsonNode pkg, String pm) {
        for (String file : LOCKFILES.get(pm)) {
            Path p = root.resolve(file);
            if (isRegularFile(p)) {
                Optional<Boolean> m = LockfileInStep.matches(file, readHead(p, (int) LockfileRegistries.MAX_LOCKFILE_BYTES), pkg);
                if (m.isPresent()) {
                    return m;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean yarnBerry(Path root, String declaredVersion) {
        Matcher m = LEADING_MAJOR.matcher(declaredVersion);
        if (m.find() && Integer.parseInt(m.group(1)) >= 2) {
            return true;
        }
        if (exists(root.resolve(".yarnrc.yml"))) {
            return true;
        }
        String head = readHead(root.resolve("yarn.lock"), 64 * 1024);
        return head != null && head.contains("__metadata");
    }

    // ---- output directory ----

    private static String viteOutDir(String viteConfig, String viteCode, List<Finding> findings) {
        return safeDir(literal(OUT_DIR, viteCode), "dist", viteConfig, "outDir", findings);
    }

    private static String literal(Pattern p, String code) {
        Matcher m = p.matcher(code);
        return m.find() ? m.group(2).strip() : null;
    }

    /** {@code dir} made relative and checked; {@code fallback} when absent or pointing outside the tree. */
    private static String safeDir(String dir, String fallback, String file, String option, List<Finding> findings) {
        if (dir == null) {
            return fallback;
        }
        String d = dir;
        while (d.startsWith("./")) {
            d = d.substring(2);
        }
        while (d.endsWith("/") && d.length() > 1) {
            d = d.substring(0, d.length() - 1);
        }
        boolean ok = SAFE_DIR.matcher(d).matches();
        for (String seg : d.split("/")) {
            ok &= !seg.equals(".") && !seg.equals("..");
        }
        if (ok) {
            return d;
        }
        findings.add(new Finding("output-dir-ignored", Finding.WARNING, file, null, null,
                option + " \"" + dir + "\" is not a directory inside the app, so Slipway assumes " + fallback + "; change it or set the output directory by hand."));
        return fallback;
    }

    private static String stripComments(String code) {
        return LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(code).replaceAll(" ")).replaceAll("$1");
    }

    // ---- Node.js version ----

    private static String nodeVersion(Path root, JsonNode pkg, List<Finding> findings) {
        for (String f : List.of(".nvmrc", ".node-version")) {
            String text = readSmall(root.resolve(f));
            if (text == null) {
                continue;
            }
            String v = fromVersionFile(text);
            if (v != null) {
                return v;
            }
        }
        // volta pins an exact release ("volta": {"node": "18.19.0"}); engines.node is a range: it comes last
        JsonNode volta = pkg == null ? null : pkg.path("volta").get("node");
        if (volta != null && volta.isTextual()) {
            String v = fromVersionFile(volta.textValue());
            if (v != null) {
                return v;
            }
        }
        JsonNode engines = pkg == null ? null : pkg.path("engines").get("node");
        if (engines != null && engines.isTextual()) {
            List<long[]> range = NodeRange.parse(engines.textValue());
            if (range != null) {
                // builds now run the major named here: the default when the range allows it (">=18" is met by
                // it, and today's tools need it), else the lowest LTS release the range allows
                if (NodeRange.allowsMajor(range, Integer.parseInt(DEFAULT_NODE))) {
                    return DEFAULT_NODE;
                }
                for (int major : LTS_MAJORS) {
                    if (NodeRange.allowsMajor(range, major)) {
                        return Integer.toString(major);
                    }
                }
                findings.add(new Finding("node-version-unsupported", Finding.WARNING, "package.json", null, null,
                        "engines.node \"" + engines.textValue() + "\" allows no supported LTS release of Node.js (18, 20, 22, 24), so Slipway builds with Node.js "
                                + DEFAULT_NODE + "; update the range."));
            }
        }
        return DEFAULT_NODE;
    }

    /** The major version named by an .nvmrc / .node-version file, or null if it names none. */
    static String fromVersionFile(String text) {
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            String v = line.toLowerCase(Locale.ROOT);
            if (v.equals("lts/*") || v.equals("lts") || v.equals("node") || v.equals("stable") || v.equals("latest")) {
                return CURRENT_LTS;
            }
            if (v.startsWith("lts/")) {
                return LTS_CODENAMES.get(v.substring(4));
            }
            Matcher m = LEADING_MAJOR.matcher(v);
            return m.find() ? m.group(1) : null;
        }
        return null;
    }

    // ---- files ----

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRegularFile(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static String firstExisting(Path root, List<String> names) {
        for (String n : names) {
            if (isRegularFile(root.resolve(n))) {
                return n;
            }
        }
        return null;
    }

    /** UTF-8 text of a regular file (not a symlink) of at most 1 MiB, else null. */
    static String readSmall(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > MAX_FILE_BYTES) {
                return null;
            }
            return readHead(p, (int) MAX_FILE_BYTES);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** At most the first {@code max} bytes of a regular file (not a symlink), as UTF-8; null if unreadable. */
    /** {@code <folder>/package.json} for each folder at the root that has one (sorted, at most 5). */
    private static List<String> packageJsonsOneLevelDown(Path root) {
        try (var dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .filter(d -> !d.getFileName().toString().startsWith(".") && !d.getFileName().toString().equals("node_modules"))
                    .filter(d -> isRegularFile(d.resolve("package.json")))
                    .map(d -> d.getFileName() + "/package.json").sorted().limit(5).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String readHead(Path p, int max) {
        if (!isRegularFile(p)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes(max), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
