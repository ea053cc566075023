package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.template.IamGrants;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.deploy.SiteKeys;
import dev.slipway.shared.deploy.store.BuildLeases;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

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

    /** The buildspec writes fixed /tmp paths (a CodeBuild container is its own): leave none behind here. */
    @org.junit.jupiter.api.AfterAll
    static void removeBuildspecLeftovers() throws IOException {
        Files.deleteIfExists(Path.of("/tmp/output.zip"));
        Files.deleteIfExists(Path.of("/tmp/slipway-build.log"));
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

    /** FailedDeployments.cleanUp (reached from a read) removes the staged release and the build zips: exactly those. */
    @Test
    void deploymentsFunctionMayDeleteExactlyWhatItsReconciliationRemoves() {
        IamGrants g = IamGrants.of(template, "DeploymentsFunction");
        for (String key : List.of(SiteKeys.releasePrefix("shop", "r1") + "assets/app.js", SiteKeys.manifest("shop", "r1"),
                SiteKeys.source("shop", "d1"), SiteKeys.output("shop", "d1"))) {
            assertTrue(g.allows("s3:DeleteObject", BUCKET + "/" + key), "DeploymentsFunction may not delete " + key);
        }
        assertTrue(g.allows("s3:ListBucket", BUCKET), "deleting a release's files lists them first");
        // The log stays (GET …/logs reads it); git, uploads, pending lists and audit files are not its business.
        for (String key : List.of(SiteKeys.log("shop", "d1"), SiteKeys.pending("shop", "r1"), SiteKeys.upload("shop", "ab"),
                "git/shop/objects/pack/p.pack", "audit/shop/1-2.jsonl", "build-cache/x")) {
            assertFalse(g.allowsUnderSomeCondition("s3:DeleteObject", BUCKET + "/" + key), "DeploymentsFunction may delete " + key);
        }
    }

    // ---- the buildspec

    /** {"outputDir":"."}: no install command, the default build, the project root as output. */
    @Test
    void buildspecKeepsAnEmptyInstallCommandEmpty(@TempDir Path dir) throws Exception {
        Build b = build(dir, "{\"outputDir\":\".\"}");
        assertEquals(0, b.exit, b.output);
        assertEquals(List.of("npm ci --replace-registry-host=always --no-audit --no-fund", "npm run build"), b.npmCalls(), b.output);
        assertTrue(b.uploadedEntries().contains("package.json"), "output \".\" is the project: " + b.uploadedEntries());
        assertFalse(b.calls.stream().anyMatch(c -> c.startsWith("n ")), b.calls.toString());
    }

    @Test
    void buildspecRunsEachSettingAsGiven(@TempDir Path dir) throws Exception {
        Build b = build(dir, "{\"installCommand\":\"npm install --prefer-offline\",\"buildCommand\":\"npm run build -- --mode=prod\",\"outputDir\":\"dist\"}");
        assertEquals(0, b.exit, b.output);
        assertEquals(List.of("npm install --prefer-offline", "npm run build -- --mode=prod"), b.npmCalls(), b.output);
        assertEquals(List.of("index.html"), b.uploadedEntries());
    }

    /** nodeVersion selects the Node.js major (`n`, which the CodeBuild standard images carry); junk after it is dropped. */
    @Test
    void buildspecSwitchesToTheNodeMajorTheAppAsksFor(@TempDir Path dir) throws Exception {
        String other = otherMajor();
        Build b = build(dir, "{\"nodeVersion\":\"" + other + "; touch pwned\"}");
        assertEquals(0, b.exit, b.output);
        assertTrue(b.calls.contains("n " + other), b.calls.toString());
        assertFalse(Files.exists(dir.resolve("work/pwned")));
        assertEquals(List.of("npm ci --replace-registry-host=always --no-audit --no-fund", "npm run build"), b.npmCalls(), b.output);

        Build same = build(dir.resolve("again"), "{\"nodeVersion\":\"" + nodeMajor() + "\"}");
        assertEquals(0, same.exit, same.output);
        assertFalse(same.calls.stream().anyMatch(c -> c.startsWith("n ")), "already on that major: " + same.calls);
    }

    private record Build(int exit, String output, List<String> calls, Path uploaded) {
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
    }

    /** Runs the buildspec's build command with bash in a fixture project, `aws`, `npm` and `n` replaced by recorders. */
    @SuppressWarnings("unchecked")
    private static Build build(Path dir, String settings) throws Exception {
        Map<String, Object> source = SamTemplate.map(template.properties("BuildProject").get("Source"));
        Map<String, Object> spec = new Yaml().load(String.valueOf(source.get("BuildSpec")));
        Map<String, Object> phases = SamTemplate.map(spec.get("phases"));
        List<Object> commands = (List<Object>) SamTemplate.map(phases.get("build")).get("commands");
        assertEquals(1, commands.size());

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path store = Files.createDirectories(dir.resolve("store"));
        Path calls = dir.resolve("calls.txt");
        Files.writeString(calls, "");
        stub(bin, "aws", """
                echo "aws $*" >> "$CALLS"
                if [ "$1 $2" = "s3 cp" ]; then cp "$3" "$STORE/$(basename "$4")"; fi
                """);
        stub(bin, "npm", """
                echo "npm $*" >> "$CALLS"
                case "$1" in
                  ci|install) mkdir -p node_modules ;;
                  run) mkdir -p dist && echo '<h1>hi</h1>' > dist/index.html ;;
                esac
                """);
        stub(bin, "n", "echo \"n $*\" >> \"$CALLS\"\n");
        Files.writeString(work.resolve("package.json"), "{\"name\":\"fixture\",\"scripts\":{\"build\":\"x\"}}");
        Files.writeString(work.resolve("package-lock.json"), "{\"lockfileVersion\":3}");
        Path script = dir.resolve("build.sh");
        Files.writeString(script, String.valueOf(commands.get(0)));

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("CALLS", calls.toString());
        env.put("STORE", store.toString());
        env.put("SLIPWAY_BUILD_SETTINGS", settings);
        env.put("SLIPWAY_BUCKET", "artifacts");
        env.put("SLIPWAY_LOG_KEY", SiteKeys.log("shop", "d1"));
        env.put("SLIPWAY_OUTPUT_KEY", SiteKeys.output("shop", "d1"));
        env.put("SLIPWAY_TARGET", "production");
        env.remove("SLIPWAY_ENV_PATH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        List<String> recorded = Files.readAllLines(calls).stream().filter(l -> !l.isBlank()).toList();
        return new Build(p.exitValue(), out + "\n-- build log:\n" + readIfThere(store.resolve("build.log")), recorded,
                store.resolve("output.zip"));
    }

    private static String readIfThere(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "(none)";
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
        assertEquals("PromoteRelease", next(choice, Json.parse("{\"reuse\":{\"found\":true,\"releaseId\":\"r\"}}")));
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
        assertTrue(BuildLeases.LENGTH.compareTo(Duration.ofMinutes(codeBuildMinutes.longValue())) > 0, "CodeBuild " + codeBuildMinutes + " min");
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
