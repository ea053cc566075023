package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.template.IamGrants;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.deploy.build.BuildPlan;
import dev.slipway.shared.deploy.BuildInputs;
import dev.slipway.shared.deploy.BuildUrlSigner;
import dev.slipway.shared.deploy.BuildUrls;
import dev.slipway.shared.deploy.ReleaseFiles;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.build.ServerPackaging;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.env.EnvScope;
import dev.slipway.shared.env.LocalEncryptedAppEnvironment;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * template.yaml read against the AWS specs where the linters do not look (issue 13, part 5): each
 * test pins one defect that would fail a deploy or misbehave in AWS, without reaching AWS.
 */
class TemplateAwsSpecTest {
    private static final String BUCKET = "${ArtifactsBucket.Arn}";
    private static SamTemplate template;
    private static Path root;

    @BeforeAll
    static void read() {
        root = EmbeddedEngines.repoRoot();
        template = SamTemplate.read(root.resolve("template.yaml"));
    }

    private static Map<String, Object> globals() {
        return SamTemplate.map(SamTemplate.map(template.document().get("Globals")).get("Function"));
    }

    /** A function property as Lambda sees it: the function's own value, else the Globals one. */
    private static Object effective(String functionId, String property) {
        Object own = template.properties(functionId).get(property);
        return own != null ? own : globals().get(property);
    }

    // ---- SnapStart

    /** Lambda refuses SnapStart with more than 512 MB of ephemeral storage: the deploy would fail. */
    @Test
    void snapStartOnlyWhereTmpIsAtMost512Mb() {
        for (String fn : template.resourcesOfType(SamTemplate.FUNCTION).keySet()) {
            String applyOn = String.valueOf(SamTemplate.map(effective(fn, "SnapStart")).getOrDefault("ApplyOn", "None"));
            Object size = SamTemplate.map(effective(fn, "EphemeralStorage")).getOrDefault("Size", 512);
            if (!"None".equals(applyOn)) {
                assertTrue(Integer.parseInt(String.valueOf(size)) <= 512,
                        fn + " has SnapStart (" + applyOn + ") with " + size + " MB of /tmp; SnapStart allows 512 MB at most");
            }
        }
        // The two that need the space keep it (imports unpack up to 500 MB; ExportSource zips a tree that size).
        for (String fn : List.of("ImportsFunction", "DeployStepsFunction")) {
            assertTrue(Integer.parseInt(String.valueOf(SamTemplate.map(effective(fn, "EphemeralStorage")).get("Size"))) > 512, fn);
        }
    }

    // ---- sam build

    /** sam build hands a CodeUri to a language builder; a jar there fails the Maven builder, so each one skips it. */
    @Test
    void prebuiltJarsSkipSamBuild() {
        for (var e : template.resourcesOfType(SamTemplate.FUNCTION).entrySet()) {
            String codeUri = String.valueOf(SamTemplate.map(e.getValue().get("Properties")).get("CodeUri"));
            if (codeUri.endsWith(".jar")) {
                assertEquals(true, SamTemplate.map(e.getValue().get("Metadata")).get("SkipBuild"),
                        e.getKey() + " names the prebuilt " + codeUri + " without Metadata SkipBuild: true");
            }
        }
    }

    // ---- versions

    @Test
    void everyPropertyChangePublishesANewVersion() {
        assertNotNull(globals().get("AutoPublishAlias"));
        assertEquals(true, globals().get("AutoPublishAliasAllProperties"),
                "without AutoPublishAliasAllProperties only a code change publishes a version the alias moves to");
    }

    // ---- S3: 404 needs s3:ListBucket

    /**
     * S3 answers a GET or HEAD of a missing key with 404 only to a caller allowed s3:ListBucket on the
     * bucket, else 403: every function that reads objects must have it, with no condition (a GET
     * carries no s3:prefix for a condition to match).
     */
    @Test
    void everyFunctionThatReadsObjectsMayListTheBucket() {
        int readers = 0;
        for (String fn : template.resourcesOfType(SamTemplate.FUNCTION).keySet()) {
            IamGrants g = IamGrants.of(template, fn);
            boolean readsObjects = g.forAction("s3:GetObject").stream().anyMatch(x -> x.resource().startsWith(BUCKET + "/"));
            if (readsObjects) {
                readers++;
                assertTrue(g.allows("s3:ListBucket", BUCKET),
                        fn + " reads objects without an unconditional s3:ListBucket on the bucket: a missing key answers 403");
            }
        }
        assertTrue(readers >= 4, "expected several object readers, found " + readers);
        // The paths the issue names: a build log not written yet, a release's manifest, an upload, a build output.
        assertTrue(IamGrants.of(template, "DeploymentsFunction").allows("s3:GetObject", BUCKET + "/" + SiteKeys.log("shop", "d1")));
        assertTrue(IamGrants.of(template, "ProductionFunction").allows("s3:GetObject", BUCKET + "/" + SiteKeys.manifest("shop", "r1")));
        assertTrue(IamGrants.of(template, "ReleasesFunction").allows("s3:GetObject", BUCKET + "/" + SiteKeys.upload("shop", "ab")));
        assertTrue(IamGrants.of(template, "DeployStepsFunction").allows("s3:GetObject", BUCKET + "/" + SiteKeys.output("shop", "d1")));
    }

    // ---- DeploymentsFunction's read-time reconciliation

    /** FailedDeployments.cleanUp (reached from a read) removes the staged release, the build zips and env.json: exactly those. */
    @Test
    void deploymentsFunctionMayDeleteExactlyWhatItsReconciliationRemoves() {
        IamGrants g = IamGrants.of(template, "DeploymentsFunction");
        for (String key : List.of(SiteKeys.releasePrefix("shop", "r1") + "assets/app.js", SiteKeys.manifest("shop", "r1"),
                SiteKeys.source("shop", "d1"), SiteKeys.output("shop", "d1"), SiteKeys.buildEnvironment("shop", "d1"))) {
            assertTrue(g.allows("s3:DeleteObject", BUCKET + "/" + key), "DeploymentsFunction may not delete " + key);
        }
        assertTrue(g.allows("s3:ListBucket", BUCKET), "deleting a release's files lists them first");
        // The log stays (GET …/logs reads it); git, uploads, pending lists and audit files are not its business.
        for (String key : List.of(SiteKeys.log("shop", "d1"), SiteKeys.pending("shop", "r1"), SiteKeys.upload("shop", "ab"),
                "git/shop/objects/pack/p.pack", "audit/shop/1-2.jsonl", "build-cache/x", SiteKeys.dependencyCache("shop", "production", "ab"))) {
            assertFalse(g.allowsUnderSomeCondition("s3:DeleteObject", BUCKET + "/" + key), "DeploymentsFunction may delete " + key);
        }
    }

    // ---- the build's identity: it holds nothing but its console log

    /**
     * Builds run attacker code with the role's credentials in reach: BuildRole may write its console log and
     * nothing else. No data service, no identity service, no {@code *} resource: the build reaches data only
     * through its deployment's presigned URLs (BuildUrlSigner, tested in shared).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theBuildRoleMayOnlyWriteItsConsoleLog() {
        Map<String, Object> role = template.properties("BuildRole");
        List<String> grants = new ArrayList<>();
        for (Object p : (List<Object>) role.get("Policies")) {
            Map<String, Object> doc = SamTemplate.map(SamTemplate.map(p).get("PolicyDocument"));
            for (Object st : (List<Object>) doc.get("Statement")) {
                Map<String, Object> statement = SamTemplate.map(st);
                assertEquals("Allow", statement.get("Effect"));
                assertFalse(statement.containsKey("NotAction") || statement.containsKey("NotResource"), statement.toString());
                for (Object a : list(statement.get("Action"))) {
                    for (Object r : list(statement.get("Resource"))) {
                        grants.add(a + " " + IamGrants.text(r));
                    }
                }
            }
        }
        assertEquals(List.of("logs:CreateLogStream ${BuildLogs.Arn}:*", "logs:PutLogEvents ${BuildLogs.Arn}:*"), grants.stream().sorted().toList());
        for (String g : grants) {
            for (String service : List.of("s3:", "ssm:", "kms:", "dynamodb:", "secretsmanager:", "sts:", "iam:", "codebuild:", "lambda:", "states:")) {
                assertFalse(g.startsWith(service), "BuildRole grants " + g);
            }
            assertFalse(g.endsWith(" *") || g.contains("*:*"), "a * resource: " + g);
        }
        assertFalse(role.containsKey("ManagedPolicyArns"), "a managed policy would grant what this test cannot see");
        // Only CodeBuild, and only for this account, may assume it.
        String trust = role.get("AssumeRolePolicyDocument").toString();
        assertTrue(trust.contains("codebuild.amazonaws.com") && trust.contains("aws:SourceAccount"), trust);
    }

    /** CodeBuild itself reads and writes nothing in S3: no source location, no cache, no artifacts; a build's URLs expire after it can run. */
    @Test
    void theBuildProjectHasNoSourceNoCacheAndNoArtifacts() throws Exception {
        Map<String, Object> project = template.properties("BuildProject");
        assertFalse(project.containsKey("Cache"), "CodeBuild's own S3 cache is shared by every app and scope");
        Map<String, Object> source = SamTemplate.map(project.get("Source"));
        assertEquals("NO_SOURCE", source.get("Type"));
        assertFalse(source.containsKey("Location"));
        assertEquals("NO_ARTIFACTS", SamTemplate.map(project.get("Artifacts")).get("Type"));
        assertFalse(project.containsKey("SecondarySources") || project.containsKey("SecondaryArtifacts") || project.containsKey("FileSystemLocations"));
        int minutes = Integer.parseInt(String.valueOf(project.get("TimeoutInMinutes")))
                + Integer.parseInt(String.valueOf(project.get("QueuedTimeoutInMinutes")));
        assertTrue(minutes * 60L < BuildUrlSigner.LIFETIME.toSeconds(),
                "a build may start or run after its URLs expired: " + minutes + " min");
        String spec = String.valueOf(source.get("BuildSpec"));
        for (String gone : List.of("aws ", "s3://", "ssm", "SLIPWAY_BUCKET", "SLIPWAY_ENV_PATH")) {
            assertFalse(spec.contains(gone), "the buildspec still uses " + gone);
        }
        Map<String, Object> parsed = new Yaml().load(spec);
        assertFalse(parsed.containsKey("cache") || parsed.containsKey("artifacts"), "CodeBuild's own cache or artifacts: " + parsed.keySet());

        JsonNode build = Json.parse(Files.readString(root.resolve("statemachines/deploy.asl.json"))).path("States").path("Build");
        JsonNode params = build.path("Parameters");
        assertEquals("NO_SOURCE", params.path("SourceTypeOverride").asText());
        assertTrue(params.path("SourceLocationOverride").isMissingNode() && params.path("SourceLocationOverride.$").isMissingNode());
        List<String> names = new ArrayList<>();
        for (JsonNode v : params.path("EnvironmentVariablesOverride")) {
            assertEquals("PLAINTEXT", v.path("Type").asText());
            names.add(v.path("Name").asText());
            if (v.path("Name").asText().endsWith("_URL")) {
                assertTrue(v.path("Value.$").asText().startsWith("$.export."), v.toString());
                assertTrue(spec.contains(v.path("Name").asText()), "the buildspec never reads " + v.path("Name").asText());
            }
        }
        for (String url : List.of("SLIPWAY_SOURCE_URL", "SLIPWAY_ENV_URL", "SLIPWAY_OUTPUT_URL", "SLIPWAY_LOG_URL",
                "SLIPWAY_CACHE_GET_URL", "SLIPWAY_CACHE_PUT_URL")) {
            assertTrue(names.contains(url), "the Build state does not pass " + url);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBuildspecRunsTheServerPackagingScriptOfTheLocalRunner() {
        Map<String, Object> source = SamTemplate.map(template.properties("BuildProject").get("Source"));
        Map<String, Object> spec = new Yaml().load(String.valueOf(source.get("BuildSpec")));
        String command = String.valueOf(((List<Object>) SamTemplate.map(SamTemplate.map(spec.get("phases")).get("build")).get("commands")).get(0));
        String open = "<<'SLIPWAY_SERVER_PACKAGE'\n";
        int start = command.indexOf(open);
        int end = command.indexOf("\nSLIPWAY_SERVER_PACKAGE\n");
        assertTrue(start > 0 && end > start, "the buildspec writes server-package.cjs from a heredoc");
        assertEquals(ServerPackaging.script().strip(), command.substring(start + open.length(), end).strip(),
                "template.yaml's copy of server-package.cjs differs from shared/…/deploy/build/server-package.cjs");
        assertTrue(command.contains("\"$T/server-package.cjs\" check") && command.contains("\"$T/server-package.cjs\" package \"$OUT\""));
        assertTrue(command.contains("NEXT_PRIVATE_STANDALONE=true"));
        assertTrue(command.contains("export NITRO_PRESET=\"${NITRO_PRESET:-node-server}\""), "the local runner's Nitro preset");
    }

    /** A Node server app: the buildspec zips the bundle into the output with what runs it, as the local runner does. */
    @Test
    void buildspecPackagesANodeServerIntoTheOutput(@TempDir Path dir) throws Exception {
        Build b = build(dir, "srv-app", "production", "{\"outputDir\":\"dist\"}", Map.of("package-lock.json", "{\"lockfileVersion\":3}",
                "package.json", "{\"name\":\"fixture\",\"scripts\":{\"build\":\"x\",\"start\":\"NODE_ENV=production node server.js\"}}",
                "server.js", "require('http').createServer((q, r) => r.end('hi')).listen(process.env.PORT);\n"));
        assertEquals(0, b.exit(), b.output());
        Map<String, byte[]> entries = new java.util.TreeMap<>();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(b.uploaded()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        assertTrue(entries.containsKey("index.html"), entries.keySet().toString());
        assertFalse(entries.containsKey("server.js"), "the server is not a site file");
        ServerOutput.Descriptor d = ServerOutput.Descriptor.parse(entries.get(ServerOutput.DESCRIPTOR));
        assertEquals("node", d.framework());
        assertEquals("server.js", d.entry());
        Path bundle = dir.resolve("bundle.zip");
        Files.write(bundle, entries.get(ServerOutput.ZIP));
        assertTrue(ServerOutput.measure(bundle, "server.js", ServerBundle.MAX_UNZIPPED_BYTES).unzippedBytes() > 0);
        assertTrue(b.log().contains("server packaging: node server, entry server.js"), b.log());
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of(o);
    }

    // ---- the buildspec, run with bash against the real local S3 through real presigned URLs (npm and n recorded)

    /** {"outputDir":"."}: no install command, the default build, the project root as output. */
    @Test
    void buildspecKeepsAnEmptyInstallCommandEmpty(@TempDir Path dir) throws Exception {
        Build b = build(dir, "shop", "production", "{\"outputDir\":\".\"}");
        assertEquals(0, b.exit, b.output);
        assertEquals(List.of("npm ci --replace-registry-host=always --no-audit --no-fund", "npm run build"), b.npmCalls(), b.output);
        assertTrue(b.uploadedEntries().contains("package.json"), "output \".\" is the project: " + b.uploadedEntries());
        assertFalse(b.calls.stream().anyMatch(c -> c.startsWith("n ")), b.calls.toString());
    }

    /**
     * The package managers as LocalBuildRunner runs them (PackageManager, PackageManagersTest): bun, pnpm and yarn
     * berry are not on PATH here, so `bun`/`pnpm`/`yarn` run `npx --yes <pm>@<version>`, at the version the lockfile
     * or package.json's packageManager names, with the detected (or default) commands.
     */
    @Test
    void buildspecRunsBunPnpmAndYarnBerryThroughNpxAsTheLocalRunnerDoes(@TempDir Path dir) throws Exception {
        Build bun = build(dir.resolve("bun"), "shop", "production", "{}", Map.of("bun.lock", "{}"));
        assertEquals(0, bun.exit, bun.output);
        assertEquals(List.of("npx --yes bun@1 install --frozen-lockfile", "npx --yes bun@1 run build"), bun.calls, bun.output);
        assertTrue(bun.log.contains("== bun is not on PATH: `bun` runs `npx --yes bun@1`"), bun.log);

        Build pnpm = build(dir.resolve("pnpm"), "shop", "production",
                "{\"installCommand\":\"pnpm install --frozen-lockfile\",\"buildCommand\":\"pnpm run build\"}",
                Map.of("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"));
        assertEquals(0, pnpm.exit, pnpm.output);
        assertEquals(List.of("npx --yes pnpm@8 install --frozen-lockfile", "npx --yes pnpm@8 run build"), pnpm.calls, pnpm.output);
        // npm's flat layout for pnpm, as the local runner writes it (LocalBuildRunner.PNPM_RC)
        List<Path> rcs;
        try (var walk = Files.walk(pnpm.work().getParent().resolve("tmp"))) {
            rcs = walk.filter(p -> p.endsWith(Path.of("config", "pnpm", "rc"))).toList();
        }
        assertEquals(1, rcs.size(), rcs.toString());
        assertEquals("node-linker=hoisted", Files.readString(rcs.get(0)).strip());

        Build berry = build(dir.resolve("berry"), "shop", "production", "{}", Map.of("yarn.lock", "__metadata:\n  version: 10\n"));
        assertEquals(0, berry.exit, berry.output);
        assertEquals(List.of("npx --yes -p @yarnpkg/cli-dist@4 yarn install --immutable",
                "npx --yes -p @yarnpkg/cli-dist@4 yarn run build"), berry.calls, berry.output);
    }

    /**
     * Parity, case by case: what the buildspec runs equals what the local runner's plan says ({@link BuildPlan}, the
     * one place the rules live in Java): each lockfile kind, lockfile versions, package.json's packageManager,
     * the settings' package manager (over another lockfile) and commands, no lockfile. (Each case runs the whole
     * buildspec: ten cases, the ones whose rules differ.)
     */
    @Test
    void buildspecRunsWhatTheLocalRunnersPlanSays(@TempDir Path dir) throws Exception {
        String pkg = "{\"name\":\"fixture\",\"scripts\":{\"build\":\"x\"}}";
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("npm", new Object[]{Map.of("package-lock.json", "{\"lockfileVersion\":3}"), "{}"});
        cases.put("pnpm9", new Object[]{Map.of("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"), "{}"});
        cases.put("pnpm6", new Object[]{Map.of("pnpm-lock.yaml", "lockfileVersion: '6.0'\n"), "{}"});
        cases.put("pnpm-declared", new Object[]{Map.of("pnpm-lock.yaml", "lockfileVersion: '9.0'\n", "package.json",
                "{\"name\":\"f\",\"packageManager\":\"pnpm@8.15.9+sha512.abc\",\"scripts\":{\"build\":\"x\"}}"), "{}"});
        cases.put("yarn1", new Object[]{Map.of("yarn.lock", "# yarn lockfile v1\n"), "{}"});
        cases.put("berry", new Object[]{Map.of("yarn.lock", "__metadata:\n  version: 8\n"), "{}"});
        cases.put("bunb", new Object[]{Map.of("bun.lockb", "binary"), "{}"});
        cases.put("none", new Object[]{Map.of(), "{}"});
        cases.put("setting-picks-bun", new Object[]{Map.of("package-lock.json", "{}", "bun.lock", "{}"), "{\"packageManager\":\"bun\"}"});
        cases.put("commands", new Object[]{Map.of("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
                "{\"installCommand\":\"pnpm install --prod=false\",\"buildCommand\":\"pnpm run build -- --mode x\"}"});
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, String> files = (Map<String, String>) c.getValue()[0];
            String settings = (String) c.getValue()[1];
            Path caseDir = dir.resolve(c.getKey());
            Build b = build(caseDir, "parity", "production", settings, files);
            assertEquals(0, b.exit, c.getKey() + ": " + b.output);

            Path src = Files.createDirectories(caseDir.resolve("plan-src"));
            Files.writeString(src.resolve("package.json"), pkg);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(src.resolve(f.getKey()), f.getValue());
            }
            BuildPlan plan = BuildPlan.of(src, Json.MAPPER.readValue(settings, BuildSettings.class),
                    caseDir.resolve("bin") + ":" + System.getenv("PATH")).orElseThrow();
            assertEquals(plan.launchedCommands(), b.calls.stream().filter(l -> l.startsWith("npm ") || l.startsWith("npx "))
                    .toList(), c.getKey() + ": the buildspec and the local runner's plan differ\n" + b.output);
        }
    }

    @Test
    void buildspecRunsEachSettingAsGiven(@TempDir Path dir) throws Exception {
        Build b = build(dir, "shop", "production", "{\"installCommand\":\"npm install --prefer-offline\",\"buildCommand\":\"npm run build -- --mode=prod\",\"outputDir\":\"dist\"}");
        assertEquals(0, b.exit, b.output);
        assertEquals(List.of("npm install --prefer-offline", "npm run build -- --mode=prod"), b.npmCalls(), b.output);
        assertEquals(List.of("index.html", "tricky.txt"), b.uploadedEntries());
        // ExportSource's notes (lockfile URLs it mapped) open the log, one line each, as LocalBuildRunner writes them
        assertTrue(b.log.contains("== " + NOTES.replace("\n", "\n== ") + "\n== install"), b.log);
        assertFalse(b.log.contains("\u001B["), "no colour codes in the log: " + b.log);
    }

    static final String NOTES = "package-lock.json: 3 URLs of npm-cache.builder.invalid now point at https://registry.npmjs.org/"
            + " (integrity hashes unchanged)\nsecond note";

    /**
     * nodeVersion selects the Node.js major as local builds do (NodeRuntimes): that major's binary from the registry,
     * `npm pack node-linux-<arch>@<major>` (the recorder hands back a tarball whose node answers that version), first
     * on PATH; junk after the major is dropped; the image's own major fetches nothing; one that cannot be had fails
     * naming it.
     */
    @Test
    void buildspecSwitchesToTheNodeMajorTheAppAsksFor(@TempDir Path dir) throws Exception {
        String other = otherMajor();
        Build b = build(dir, "shop", "production", "{\"nodeVersion\":\"" + other + "; touch pwned\"}");
        assertEquals(0, b.exit, b.output);
        String arch = System.getProperty("os.arch").matches("aarch64|arm64") ? "arm64" : "x64";
        assertEquals("npm pack node-linux-" + arch + "@" + other + " --silent", b.calls.get(0), b.calls.toString());
        assertTrue(b.output.contains("Node.js v" + other + ".0.0"), b.output);
        assertFalse(Files.exists(b.work.resolve("pwned")));
        assertEquals(List.of("npm ci --replace-registry-host=always --no-audit --no-fund", "npm run build"),
                b.npmCalls().subList(1, 3), b.output);

        Build same = build(dir.resolve("again"), "shop", "production", "{\"nodeVersion\":\"" + nodeMajor() + "\"}");
        assertEquals(0, same.exit, same.output);
        assertFalse(same.calls.stream().anyMatch(c -> c.startsWith("npm pack")), "already on that major: " + same.calls);

        Build none = build(dir.resolve("none"), "shop", "production", "{\"nodeVersion\":\"99\"}");
        assertEquals(1, none.exit, none.output);
        assertTrue(none.output.contains("Node.js 99 is not available: node-linux-" + arch + "@99 could not be fetched from"),
                none.output);
    }

    /** No lockfile: the one the install wrote goes back through its URL (as LocalBuildStep does), with a line in the log. */
    @Test
    void buildspecHandsBackTheLockfileTheInstallWrote(@TempDir Path dir) throws Exception {
        Build b = build(dir, "shop", "production", "{}", Map.of());
        assertEquals(0, b.exit, b.output);
        assertEquals(List.of("npm install --no-audit --no-fund", "npm run build"), b.npmCalls(), b.output);
        assertTrue(b.log.contains("the install wrote package-lock.json: it is offered as a commit"), b.log);
        assertTrue(b.lockfileZip != null, "no lockfile.zip: " + b.output);
        try (ZipFile z = new ZipFile(b.lockfileZip.toFile())) {
            assertEquals(List.of("package-lock.json"), z.stream().map(java.util.zip.ZipEntry::getName).toList());
            assertTrue(new String(z.getInputStream(z.getEntry("package-lock.json")).readAllBytes(), StandardCharsets.UTF_8)
                    .contains("by npm install"));
        }
        Build locked = build(dir.resolve("locked"), "shop", "production", "{}");
        assertEquals(0, locked.exit, locked.output);
        assertEquals(null, locked.lockfileZip, "a commit with a lockfile hands nothing back");
    }

    /**
     * The registry ExportSource chose (the app's setting, else the stack's NpmRegistryUrl) is every package
     * manager's, and the app's NPM_TOKEN its token through an npmrc that names the variable, not the value.
     */
    @Test
    void buildspecInstallsFromTheRegistryOfTheSettingsWithTheAppsToken(@TempDir Path dir) throws Exception {
        String registry = "https://acme-123456789012.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/";
        Build b = build(dir, "shop", "production", "{\"registry\":\"" + registry + "\"}");
        assertEquals(0, b.exit, b.output);
        String seen = Files.readString(dir.resolve("calls.txt.registry"));
        assertTrue(seen.startsWith("ci --replace-registry-host=always --no-audit --no-fund " + registry
                + "|//acme-123456789012.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/:_authToken=${NPM_TOKEN}"), seen);
        assertFalse(b.log.contains("npm-token-of-the-app"), b.log);

        Build none = build(dir.resolve("none"), "shop", "production", "{}");
        assertEquals(0, none.exit, none.output);
        String defaults = Files.readString(dir.resolve("none/calls.txt.registry"));
        assertFalse(defaults.contains("_authToken"), "no registry setting, no npmrc: " + defaults);
    }

    /**
     * The env.json values are exported as they are (quotes, $(…), newlines never run), redacted in the
     * uploaded log; the dependency cache is stored after an install and restored by the next build of the same
     * app and scope only: another scope or another app with the same lockfile installs again.
     */
    @Test
    void buildspecUsesItsEnvironmentAndTheCacheOfItsAppAndScopeOnly(@TempDir Path dir) throws Exception {
        String app = "cache-" + Long.toHexString(System.nanoTime());
        Build first = build(dir.resolve("1"), app, "preview", "{}");
        assertEquals(0, first.exit, first.output);
        assertEquals(TRICKY, first.file("tricky.txt"), "the value arrives as it is");
        assertFalse(Files.exists(first.work.resolve("pwned")), "a value was run as a command");
        assertTrue(first.output.contains("dependency cache stored"), first.output);
        assertFalse(first.log.contains(TRICKY) || first.log.contains("sk_live_"), "a value in the uploaded log: " + first.log);
        assertTrue(first.log.contains("[redacted:TRICKY] from [redacted:SLIPWAY_SOURCE_URL]"), first.log);
        assertTrue(first.npmCalls().get(0).startsWith("npm ci"), first.output);

        Build again = build(dir.resolve("2"), app, "preview", "{}");
        assertEquals(0, again.exit, again.output);
        assertEquals(List.of("npm run build"), again.npmCalls(), "the same app and scope restore their cache: " + again.output);
        assertTrue(again.output.contains("dependency cache hit"), again.output);

        Build production = build(dir.resolve("3"), app, "production", "{}");
        assertEquals(0, production.exit, production.output);
        assertTrue(production.npmCalls().get(0).startsWith("npm ci"), "production never restores a preview's cache: " + production.output);
        Build other = build(dir.resolve("4"), app + "-b", "preview", "{}");
        assertTrue(other.npmCalls().get(0).startsWith("npm ci"), "another app never restores this app's cache: " + other.output);
    }

    private static final String TRICKY = "it's \"$(touch pwned)\" `touch pwned` $HOME\nline 2 \\ end";
    private static int builds;

    private record Build(int exit, String output, String log, List<String> calls, Path uploaded, Path work, Path lockfileZip) {
        List<String> npmCalls() {
            return calls.stream().filter(c -> c.startsWith("npm ")).toList();
        }

        List<String> uploadedEntries() throws IOException {
            List<String> names = new ArrayList<>();
            try (ZipFile z = new ZipFile(uploaded.toFile())) {
                z.stream().forEach(e -> names.add(e.getName()));
            }
            return names.stream().sorted().toList();
        }

        String file(String name) throws IOException {
            try (ZipFile z = new ZipFile(uploaded.toFile())) {
                return new String(z.getInputStream(z.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * Runs the buildspec's build command with bash as CodeBuild would: in an empty folder, with the variables
     * the Build state passes, made by the real ExportSource inputs (env.json and presigned URLs over the local S3
     * server); curl, unzip, tar and zip are real, `npm` and `n` are recorders.
     */
    @SuppressWarnings("unchecked")
    private static Build build(Path dir, String app, String scope, String settings) throws Exception {
        return build(dir, app, scope, settings, Map.of("package-lock.json", "{\"lockfileVersion\":3}"));
    }

    /** The same with {@code lockfiles} (name → content) next to package.json; `npx` is a recorder too. */
    @SuppressWarnings("unchecked")
    private static Build build(Path dir, String app, String scope, String settings, Map<String, String> lockfiles)
            throws Exception {
        Map<String, Object> source = SamTemplate.map(template.properties("BuildProject").get("Source"));
        Map<String, Object> spec = new Yaml().load(String.valueOf(source.get("BuildSpec")));
        Map<String, Object> phases = SamTemplate.map(spec.get("phases"));
        List<Object> commands = (List<Object>) SamTemplate.map(phases.get("build")).get("commands");
        assertEquals(1, commands.size());

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path calls = dir.resolve("calls.txt");
        Files.writeString(calls, "");
        stub(bin, "npm", """
                echo "npm $*" >> "$CALLS"
                if [ "$1" = pack ]; then
                  M=${2##*@}; [ "$M" = 99 ] && exit 1
                  mkdir -p pkg/package/bin && sed "s/MAJOR/$M/g" "$(dirname "$0")/fake-node" > pkg/package/bin/node \\
                    && chmod +x pkg/package/bin/node && echo '{"version":"'$M'.0.0"}' > pkg/package/package.json \\
                    && tar czf "${2%@*}-$M.0.0.tgz" -C pkg package && rm -rf pkg && echo "${2%@*}-$M.0.0.tgz"; exit 0
                fi
                printf '%s %s|%s' "$*" "${npm_config_registry:-}" "$(cat "${npm_config_userconfig:-/dev/null}")" >> "$CALLS.registry"
                case "$1" in
                  ci) mkdir -p node_modules/left-pad && echo 'module.exports=1' > node_modules/left-pad/index.js ;;
                  install) mkdir -p node_modules/left-pad && echo 'module.exports=1' > node_modules/left-pad/index.js
                           [ -f package-lock.json ] || echo '{"lockfileVersion":3,"written":"by npm install"}' > package-lock.json ;;
                  run) mkdir -p dist && echo '<h1>hi</h1>' > dist/index.html && printf '%s' "$TRICKY" > dist/tricky.txt
                       printf '\033[31mred\033[0m\n' 
                       echo "building with $TRICKY from $SLIPWAY_SOURCE_URL" ;;
                esac
                """);
        // `npm pack node-linux-<arch>@<major>` hands back a tarball whose node says it is that major
        // (and runs the buildspec's own scripts with the real node); there is no Node 99
        String realNode = new ProcessBuilder("sh", "-c", "readlink -f \"$(command -v node)\"").start().inputReader().readLine();
        Files.writeString(bin.resolve("fake-node"), "#!/bin/sh\n[ \"$1\" = --version ] && { echo vMAJOR.0.0; exit 0; }\n"
                + "[ \"$1\" = -p ] && case \"$2\" in *versions.node*) echo MAJOR; exit 0;; esac\nexec " + realNode + " \"$@\"\n");
        stub(bin, "npx", """
                echo "npx $*" >> "$CALLS"
                case " $* " in
                  *" install "*) mkdir -p node_modules/left-pad ;;
                  *" run build "*) mkdir -p dist && echo '<h1>hi</h1>' > dist/index.html ;;
                esac
                """);

        EmbeddedEngines engines = EmbeddedEngines.get();
        String bucket = engines.bucketName("ArtifactsBucket");
        String deployment = "d" + (++builds) + Long.toHexString(System.nanoTime());
        Path zip = dir.resolve("source.zip");
        try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
            if (!lockfiles.containsKey("package.json")) {
                out.putNextEntry(new ZipEntry("package.json"));
                out.write("{\"name\":\"fixture\",\"scripts\":{\"build\":\"x\"}}".getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, String> lock : lockfiles.entrySet()) {
                out.putNextEntry(new ZipEntry(lock.getKey()));
                out.write(lock.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        engines.s3Client.putObject(r -> r.bucket(bucket).key(SiteKeys.source(app, deployment)),
                RequestBody.fromFile(zip));
        var environment = new LocalEncryptedAppEnvironment(dir.resolve("secrets"));
        environment.putAll(app, Map.of("TRICKY", TRICKY, "API_KEY", "sk_live_build-secret", "NPM_TOKEN", "npm-token-of-the-app"));
        BuildUrls urls;
        try (var presigner = S3Presigner.builder()
                .region(Region.of(LocalRuntime.REGION)).credentialsProvider(LocalRuntime.credentials())
                .endpointOverride(engines.s3.endpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            urls = new BuildInputs(new ReleaseFiles(engines.s3Client, bucket), environment,
                    new BuildUrlSigner(presigner, bucket))
                    .prepare(app, deployment, EnvScope.of(scope), zip, Json.MAPPER.readValue(settings,
                            BuildSettings.class));
        }
        Path script = dir.resolve("build.sh");
        Files.writeString(script, String.valueOf(commands.get(0)));

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SLIPWAY_") || k.startsWith("AWS_"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("TMPDIR", tmp.toString());
        env.put("CALLS", calls.toString());
        env.put("SLIPWAY_APP_ID", app);
        env.put("SLIPWAY_DEPLOYMENT_ID", deployment);
        env.put("SLIPWAY_TARGET", scope.equals("preview") ? "preview:feature" : "production");
        env.put("SLIPWAY_BUILD_SETTINGS", settings);
        env.put("SLIPWAY_BUILD_NOTES", NOTES);
        env.put("SLIPWAY_SOURCE_URL", urls.source());
        env.put("SLIPWAY_ENV_URL", urls.environment());
        env.put("SLIPWAY_OUTPUT_URL", urls.output());
        env.put("SLIPWAY_LOG_URL", urls.log());
        env.put("SLIPWAY_CACHE_GET_URL", urls.cacheGet());
        env.put("SLIPWAY_CACHE_PUT_URL", urls.cachePut());
        env.put("SLIPWAY_LOCKFILE_URL", urls.lockfile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        List<String> recorded = Files.readAllLines(calls).stream().filter(l -> !l.isBlank()).toList();
        String log = read(engines, bucket, SiteKeys.log(app, deployment), dir.resolve("build.log"));
        Path uploaded = dir.resolve("output.zip");
        read(engines, bucket, SiteKeys.output(app, deployment), uploaded);
        Path lockfileZip = dir.resolve("lockfile.zip");
        boolean handedBack = !read(engines, bucket, SiteKeys.buildLockfile(app, deployment), lockfileZip).equals("(none)");
        return new Build(p.exitValue(), out + "\n-- build log:\n" + log, log, recorded, uploaded, work,
                handedBack ? lockfileZip : null);
    }

    /** The object as the build uploaded it (through its URL), saved to {@code file}; "(none)" when it did not. */
    private static String read(EmbeddedEngines engines, String bucket, String key, Path file) throws IOException {
        try {
            Files.write(file, engines.s3Client.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
            return Files.readString(file);
        } catch (NoSuchKeyException e) {
            return "(none)";
        } catch (MalformedInputException e) {
            return "(binary)";
        }
    }

    private static void stub(Path bin, String name, String body) throws IOException {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String nodeMajor() throws Exception {
        Process p = new ProcessBuilder("node", "-p", "process.versions.node.split('.')[0]").redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return v;
    }

    private static String otherMajor() throws Exception {
        return nodeMajor().equals("18") ? "22" : "18";
    }

    // ---- the deploy state machine's Choice states

    /**
     * A comparison on a missing field makes a Choice fail with States.Runtime, which no Catch catches.
     * Every comparison must sit behind an IsPresent of its variable (earlier in the same And), and every
     * Choice needs a Default.
     */
    @Test
    void choiceRulesCannotFailOnAMissingField() throws Exception {
        int choices = 0;
        try (var files = Files.newDirectoryStream(root.resolve("statemachines"), "*.asl.json")) {
            for (Path f : files) {
                JsonNode states = Json.parse(Files.readString(f)).path("States");
                for (var it = states.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!"Choice".equals(e.getValue().path("Type").asText())) {
                        continue;
                    }
                    choices++;
                    String where = f.getFileName() + " " + e.getKey();
                    assertTrue(e.getValue().hasNonNull("Default"), where + " has no Default");
                    for (JsonNode rule : e.getValue().path("Choices")) {
                        checkGuarded(rule, new java.util.HashSet<>(), where);
                    }
                }
            }
        }
        assertTrue(choices > 0);
    }

    private static void checkGuarded(JsonNode rule, java.util.Set<String> present, String where) {
        if (rule.has("And")) {
            java.util.Set<String> known = new java.util.HashSet<>(present);
            for (JsonNode r : rule.path("And")) {
                checkGuarded(r, known, where);
                if (r.path("IsPresent").asBoolean(false)) {
                    known.add(r.path("Variable").asText());
                }
            }
            return;
        }
        if (rule.has("Or")) {
            rule.path("Or").forEach(r -> checkGuarded(r, present, where));
            return;
        }
        if (rule.has("Not")) {
            checkGuarded(rule.path("Not"), present, where);
            return;
        }
        if (rule.has("IsPresent")) {
            return;
        }
        String variable = rule.path("Variable").asText();
        assertTrue(present.contains(variable), where + ": a rule compares " + variable + " without IsPresent first");
    }

    /** The answer a redelivered FindReusableRelease gives on an ended deployment leads out of the Choice, never into a build. */
    @Test
    void theReuseChoiceEndsAnEndedDeployment() throws Exception {
        JsonNode choice = Json.parse(Files.readString(root.resolve("statemachines/deploy.asl.json"))).path("States").path("ReleaseAlreadyBuilt");
        assertEquals("Deployed", next(choice, Json.parse("{\"reuse\":{\"status\":\"SUCCEEDED\",\"releaseId\":\"r\"}}")));
        assertEquals("DeploymentFailed", next(choice, Json.parse("{\"reuse\":{\"status\":\"FAILED\"}}")));
        // a reused release is promoted after the commit's migrations
        assertEquals("ApplyMigrations", next(choice, Json.parse("{\"reuse\":{\"found\":true,\"releaseId\":\"r\"}}")));
        assertEquals("CountLeaseWait", next(choice, Json.parse("{\"reuse\":{\"found\":false,\"wait\":true,\"holder\":\"d\"}}")));
        assertEquals("ExportSource", next(choice, Json.parse("{\"reuse\":{\"found\":false,\"wait\":\"true\"}}")));
        assertEquals("ExportSource", next(choice, Json.parse("{\"reuse\":{\"found\":false}}")));
        assertEquals("ExportSource", next(choice, Json.parse("{\"reuse\":{}}")));
    }

    /** Waits for another deployment's build are counted from 1, and the count stops the loop. */
    @Test
    void theLeaseWaitLoopIsCountedAndBounded() throws Exception {
        JsonNode states = Json.parse(Files.readString(root.resolve("statemachines/deploy.asl.json"))).path("States");
        assertEquals("FirstLeaseWait", next(states.path("CountLeaseWait"), Json.parse("{\"reuse\":{\"wait\":true}}")));
        assertEquals("NextLeaseWait", next(states.path("CountLeaseWait"), Json.parse("{\"leaseWait\":{\"attempts\":3}}")));
        assertEquals(Json.parse("{\"attempts\":1}"), states.path("FirstLeaseWait").path("Result"));
        assertEquals("States.MathAdd($.leaseWait.attempts, 1)", states.path("NextLeaseWait").path("Parameters").path("attempts.$").asText());
        int maxWaits = maxLeaseWaits(states);
        assertEquals("WaitForBuildLease", next(states.path("GiveUpWaiting"), Json.parse("{\"leaseWait\":{\"attempts\":" + (maxWaits - 1) + "}}")));
        assertEquals("LeaseWaitTimedOut", next(states.path("GiveUpWaiting"), Json.parse("{\"leaseWait\":{\"attempts\":" + maxWaits + "}}")));
        assertEquals("FindReusableRelease", states.path("WaitForBuildLease").path("Next").asText());
        assertEquals("MarkFailed", states.path("LeaseWaitTimedOut").path("Next").asText());
        assertEquals("$.error", states.path("LeaseWaitTimedOut").path("ResultPath").asText());
    }

    /**
     * A build lease outlasts the build's own time limit (CodeBuild's TimeoutInMinutes, the local
     * runner's limit), and a waiter outlasts a lease, so a waiter behind a vanished holder takes the
     * lease over instead of giving up.
     */
    @Test
    void aBuildLeaseOutlastsABuildAndAWaiterOutlastsALease() throws Exception {
        Number codeBuildMinutes = (Number) template.properties("BuildProject").get("TimeoutInMinutes");
        Number queuedMinutes = (Number) template.properties("BuildProject").get("QueuedTimeoutInMinutes");
        assertTrue(BuildLeases.LENGTH.compareTo(Duration.ofMinutes(codeBuildMinutes.longValue() + queuedMinutes.longValue())) > 0,
                "CodeBuild queues up to " + queuedMinutes + " min and builds up to " + codeBuildMinutes + " min: a lease outlasts both");
        assertTrue(BuildLeases.LENGTH.compareTo(LocalRuntime.BUILD_TIME_LIMIT) > 0, "local " + LocalRuntime.BUILD_TIME_LIMIT);
        JsonNode states = Json.parse(Files.readString(root.resolve("statemachines/deploy.asl.json"))).path("States");
        Duration waited = Duration.ofSeconds(states.path("WaitForBuildLease").path("Seconds").asLong() * maxLeaseWaits(states));
        assertTrue(waited.compareTo(BuildLeases.LENGTH) > 0, "a waiter gives up after " + waited);
        assertTrue(BuildLeases.LONGEST_WAIT.compareTo(BuildLeases.LENGTH) > 0, "the clock's bound " + BuildLeases.LONGEST_WAIT);
        assertTrue(waited.compareTo(BuildLeases.LONGEST_WAIT) >= 0, "the count is a backstop: it stops no waiter before the clock does");
    }

    private static int maxLeaseWaits(JsonNode states) {
        for (JsonNode rule : states.path("GiveUpWaiting").path("Choices").path(0).path("And")) {
            if (rule.has("NumericGreaterThanEquals")) {
                return rule.path("NumericGreaterThanEquals").asInt();
            }
        }
        throw new AssertionError("GiveUpWaiting has no bound");
    }

    /** A small evaluator of the Choice operators the file uses (the local engine's own tests run it for real). */
    private static String next(JsonNode choice, JsonNode input) {
        for (JsonNode rule : choice.path("Choices")) {
            if (test(rule, input)) {
                return rule.path("Next").asText();
            }
        }
        return choice.path("Default").asText();
    }

    private static boolean test(JsonNode rule, JsonNode input) {
        if (rule.has("And")) {
            for (JsonNode r : rule.path("And")) {
                if (!test(r, input)) {
                    return false;
                }
            }
            return true;
        }
        String path = rule.path("Variable").asText();
        assertTrue(path.startsWith("$."), path);
        JsonNode v = input.at("/" + path.substring(2).replace('.', '/'));
        if (rule.has("IsPresent")) {
            return rule.path("IsPresent").asBoolean() == !v.isMissingNode();
        }
        assertFalse(v.isMissingNode(), "States.Runtime: " + path + " is missing");
        if (rule.has("IsBoolean")) {
            return rule.path("IsBoolean").asBoolean() == v.isBoolean();
        }
        if (rule.has("BooleanEquals")) {
            return v.isBoolean() && v.asBoolean() == rule.path("BooleanEquals").asBoolean();
        }
        if (rule.has("IsNumeric")) {
            return rule.path("IsNumeric").asBoolean() == v.isNumber();
        }
        if (rule.has("NumericGreaterThanEquals")) {
            return v.isNumber() && v.asDouble() >= rule.path("NumericGreaterThanEquals").asDouble();
        }
        if (rule.has("StringEquals")) {
            return v.isTextual() && v.asText().equals(rule.path("StringEquals").asText());
        }
        throw new AssertionError("operator not known to this test: " + rule);
    }

    // ---- samconfig.toml

    /** confirm_changeset = true waits for a key press: CI deploys use a profile that does not. */
    @Test
    void samconfigHasANonInteractiveCiProfile() throws Exception {
        Map<String, Map<String, String>> toml = toml(Files.readString(root.resolve("samconfig.toml")));
        Map<String, String> ci = toml.get("ci.deploy.parameters");
        assertNotNull(ci, "no [ci.deploy.parameters] in samconfig.toml");
        assertEquals("false", ci.get("confirm_changeset"));
        assertEquals("\"CAPABILITY_IAM\"", ci.get("capabilities"));
        assertEquals(toml.get("default.deploy.parameters").get("parameter_overrides"), ci.get("parameter_overrides"));
        assertEquals(toml.get("default.global.parameters").get("stack_name"), toml.get("ci.global.parameters").get("stack_name"),
                "the CI profile deploys the same stack");
    }

    /** Just enough TOML for samconfig: [section] and key = value lines. */
    private static Map<String, Map<String, String>> toml(String text) {
        Map<String, Map<String, String>> out = new HashMap<>();
        Map<String, String> section = new HashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = new HashMap<>();
                out.put(line.substring(1, line.length() - 1), section);
            } else {
                String[] kv = line.split("=", 2);
                section.put(kv[0].strip(), kv[1].strip());
            }
        }
        return out;
    }

    // ---- the edge: certificate and global names

    @Test
    void aCustomDomainNeedsACertificateFromUsEast1() {
        Map<String, Object> param = SamTemplate.map(SamTemplate.map(template.document().get("Parameters")).get("EdgeCertificateArn"));
        Pattern allowed = Pattern.compile(String.valueOf(param.get("AllowedPattern")));
        assertTrue(allowed.matcher("").matches(), "no domain, no certificate");
        assertTrue(allowed.matcher("arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc").matches());
        assertFalse(allowed.matcher("arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc").matches(),
                "CloudFront takes certificates from us-east-1 only");
        assertFalse(allowed.matcher("not-an-arn").matches());

        // The Rules: with a domain the certificate may not be empty (and not the other way round).
        String rules = Json.write(SamTemplate.map(template.document().get("Rules")));
        assertTrue(rules.contains("\"RuleCondition\":{\"Fn::Equals\":[{\"Ref\":\"EdgeCertificateArn\"},\"\"]}"), rules);
        assertTrue(rules.contains("\"Assert\":{\"Fn::Equals\":[{\"Ref\":\"EdgeDomainName\"},\"\"]}"), rules);
        assertTrue(rules.contains("\"RuleCondition\":{\"Fn::Equals\":[{\"Ref\":\"EdgeDomainName\"},\"\"]}"), rules);
        assertTrue(rules.contains("\"Assert\":{\"Fn::Equals\":[{\"Ref\":\"EdgeCertificateArn\"},\"\"]}"), rules);
    }

    /** CloudFront names are global to the account: one stack name deployed in two regions must not collide. */
    @Test
    void globalCloudFrontNamesIncludeTheRegion() {
        int named = 0;
        for (var e : template.resources().entrySet()) {
            String type = String.valueOf(e.getValue().get("Type"));
            if (!type.startsWith("AWS::CloudFront::")) {
                continue;
            }
            Map<String, Object> p = SamTemplate.map(e.getValue().get("Properties"));
            Object name = p.containsKey("Name") ? p.get("Name")
                    : SamTemplate.map(p.get("OriginAccessControlConfig")).get("Name");
            if (name != null) {
                named++;
                String text = IamGrants.text(name);
                assertTrue(text.contains("${AWS::StackName}") && text.contains("${AWS::Region}"),
                        e.getKey() + " name " + text + " is not unique per stack and region");
            }
        }
        assertEquals(3, named, "the function, the key value store and the origin access control");
    }
}
