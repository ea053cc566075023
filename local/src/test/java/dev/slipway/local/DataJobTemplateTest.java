package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.local.template.IamGrants;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data jobs in CodeBuild (DataJobProject) and the stack's database (CreateDatabase) as template.yaml declares
 * them: the data jobs and the app builds share no project, role or right; the jobs run outlast nothing they must
 * not; the buildspec runs DataStepsFunction's own package; the Aurora resources exist only under their condition.
 */
class DataJobTemplateTest {
    private static final String CONDITION = "HasStackDatabase";
    private static SamTemplate template;
    private static Path root;

    @BeforeAll
    static void read() {
        root = EmbeddedEngines.repoRoot();
        template = SamTemplate.read(root.resolve("template.yaml"));
    }

    /** Data jobs hold database credentials; builds run attacker code. Neither identity reaches the other's resources. */
    @Test
    void theDataJobsAndTheAppBuildsShareNoProjectRoleOrRight() throws Exception {
        assertEquals("${BuildRole.Arn}", IamGrants.text(template.properties("BuildProject").get("ServiceRole")));
        assertEquals("${DataJobRole.Arn}", IamGrants.text(template.properties("DataJobProject").get("ServiceRole")));

        IamGrants job = IamGrants.ofRole(template, "DataJobRole");
        IamGrants build = IamGrants.ofRole(template, "BuildRole");
        assertFalse(job.grants().isEmpty());
        for (IamGrants.Grant g : job.grants()) {
            for (String of : List.of("BuildProject", "BuildLogs", "BuildRole", "DeployStateMachine", "/servers/", "/git/",
                    "/apps/", "AccessTable", "GitTable", "ReleasesTable", "EdgeRoutes")) {
                assertFalse(g.resource().contains(of), "DataJobRole may " + g.action() + " on " + g.resource());
            }
            assertFalse(g.action().startsWith("codebuild:") || g.action().startsWith("iam:") || g.action().startsWith("sts:"), g.toString());
        }
        for (IamGrants.Grant g : build.grants()) {
            for (String of : List.of("DataJob", "DataTable", "StackDatabase", "databases", "database-backups", "DataSteps")) {
                assertFalse(g.resource().contains(of), "BuildRole may " + g.action() + " on " + g.resource());
            }
        }
        // the data job fetches one function's package: the data function's, as its alias runs it
        assertTrue(job.allows("lambda:GetFunction", "${DataStepsFunction.Arn}:live"));
        assertFalse(job.grants().stream().anyMatch(g -> g.action().startsWith("lambda:") && !g.resource().equals("${DataStepsFunction.Arn}:live")));

        // each workflow starts its own project only
        assertEquals(Set.of("${BuildProject.Arn}"), startable("DeployStateMachine"));
        assertEquals(Set.of("${DataJobProject.Arn}"), startable("DataStateMachine"));
        assertEquals("${DataJobProject}", IamGrants.text(SamTemplate.map(template.properties("DataStateMachine")
                .get("DefinitionSubstitutions")).get("DataJobProjectName")));
        JsonNode states = Json.parse(Files.readString(root.resolve("statemachines/data.asl.json"))).path("States");
        int jobs = 0;
        for (var it = states.fields(); it.hasNext(); ) {
            var state = it.next();
            String resource = state.getValue().path("Resource").asText();
            if (resource.startsWith("arn:aws:states:::codebuild:")) {
                jobs++;
                assertEquals("${DataJobProjectName}", state.getValue().path("Parameters").path("ProjectName").asText(), state.getKey());
                // ids only: the job reads its credentials from the secret store (or CodeBuild from Secrets Manager)
                for (JsonNode v : state.getValue().path("Parameters").path("EnvironmentVariablesOverride")) {
                    assertTrue(Set.of("SLIPWAY_DATA_STEP", "SLIPWAY_APP_ID", "SLIPWAY_JOB_ID").contains(v.path("Name").asText()), v.toString());
                }
            }
        }
        assertEquals(4, jobs, "Backup, Verify, Restore and Move run as data jobs");
    }

    /** A job may run for hours: the project's time limit and queue fit in the task's timeout, and the lease is renewed meanwhile. */
    @Test
    void aDataJobOutlastsLambdaAndTheWorkflowWaitsForIt() throws Exception {
        Map<String, Object> project = template.properties("DataJobProject");
        int minutes = ((Number) project.get("TimeoutInMinutes")).intValue();
        int queued = ((Number) project.get("QueuedTimeoutInMinutes")).intValue();
        assertTrue(minutes >= 120, "a data job may run " + minutes + " min only");
        JsonNode states = Json.parse(Files.readString(root.resolve("statemachines/data.asl.json"))).path("States");
        for (String step : List.of("Backup", "Verify", "Restore", "Move")) {
            int timeout = states.path(step).path("TimeoutSeconds").asInt();
            assertTrue(timeout > (minutes + queued) * 60, step + " times out at " + timeout + " s, before its build can end");
        }
        assertEquals("NO_SOURCE", SamTemplate.map(project.get("Source")).get("Type"));
        assertEquals("NO_ARTIFACTS", SamTemplate.map(project.get("Artifacts")).get("Type"));
        assertFalse(project.containsKey("Cache"));
    }

    /**
     * The buildspec as CodeBuild runs it, with `aws` and `java` as recorders: it fetches DataStepsFunction's package and
     * variables at its alias, and runs DataJobMain (a class of that very jar) with the step, app and job, without
     * Lambda's JAVA_TOOL_OPTIONS.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theBuildspecRunsTheDataFunctionsOwnPackage(@TempDir Path dir) throws Exception {
        Path jar = root.resolve("functions/data/target/slipway-data.jar");
        assertTrue(Files.isRegularFile(jar), "package the data jar first");
        try (ZipFile z = new ZipFile(jar.toFile())) {
            assertNotNull(z.getEntry("dev/slipway/functions/data/DataJobMain.class"), "the data jar has no DataJobMain");
        }
        Map<String, Object> project = template.properties("DataJobProject");
        Map<String, Object> spec = new Yaml().load(String.valueOf(SamTemplate.map(project.get("Source")).get("BuildSpec")));
        assertEquals("corretto21", SamTemplate.map(SamTemplate.map(SamTemplate.map(spec.get("phases")).get("install"))
                .get("runtime-versions")).get("java"));
        List<Object> commands = (List<Object>) SamTemplate.map(SamTemplate.map(spec.get("phases")).get("build")).get("commands");
        assertEquals(1, commands.size());
        // the project names the data function whose package it runs
        List<Object> variables = (List<Object>) SamTemplate.map(project.get("Environment")).get("EnvironmentVariables");
        assertTrue(variables.stream().map(SamTemplate::map).anyMatch(v -> "SLIPWAY_DATA_FUNCTION".equals(v.get("Name"))
                && "${DataStepsFunction}".equals(IamGrants.text(v.get("Value")))), String.valueOf(variables));

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path calls = dir.resolve("calls.txt");
        stub(bin, "aws", """
                echo "aws $*" >> "$CALLS"
                case "$*" in
                  *Code.Location*) echo "file://$JAR" ;;
                  *Configuration.Environment.Variables*) echo '{"DATA_TABLE": "slipway-data", "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}' ;;
                  *) exit 254 ;;
                esac
                """);
        stub(bin, "java", """
                echo "java $*" >> "$CALLS"
                echo "JAVA_TOOL_OPTIONS=${JAVA_TOOL_OPTIONS-unset}" >> "$CALLS"
                cat "$SLIPWAY_FUNCTION_ENVIRONMENT" >> "$CALLS"
                unzip -l "${3}" | grep -q dev/slipway/functions/data/DataJobMain.class || { echo "not the data jar"; exit 3; }
                """);
        Path script = dir.resolve("job.sh");
        Files.writeString(script, String.valueOf(commands.get(0)));
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(Files.createDirectories(dir.resolve("work")).toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SLIPWAY_") || k.startsWith("AWS_"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("CALLS", calls.toString());
        env.put("JAR", jar.toString());
        env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1"); // as if the function's variables had reached the shell
        env.put("SLIPWAY_DATA_FUNCTION", "slipway-DataStepsFunction-abc");
        env.put("SLIPWAY_DATA_STEP", "Backup");
        env.put("SLIPWAY_APP_ID", "shop");
        env.put("SLIPWAY_JOB_ID", "01JOB");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        String recorded = Files.readString(calls);
        assertEquals(0, p.exitValue(), out + "\n" + recorded);
        List<String> lines = recorded.lines().toList();
        List<String> awsCalls = new ArrayList<>(lines.stream().filter(l -> l.startsWith("aws ")).toList());
        assertEquals(2, awsCalls.size(), recorded);
        for (String call : awsCalls) {
            assertTrue(call.startsWith("aws lambda get-function --function-name slipway-DataStepsFunction-abc --qualifier live "), call);
        }
        String java = lines.stream().filter(l -> l.startsWith("java ")).findFirst().orElseThrow();
        assertTrue(java.matches("java -XX:MaxRAMPercentage=75 -cp \\S+/data\\.jar dev\\.slipway\\.functions\\.data\\.DataJobMain Backup shop 01JOB"), java);
        assertTrue(lines.contains("JAVA_TOOL_OPTIONS=unset"), recorded);
        assertTrue(recorded.contains("\"DATA_TABLE\": \"slipway-data\""), "the job gets the function's variables: " + recorded);
    }

    /** Off by default; every resource of the stack database (and what names one) exists only under its condition. */
    @Test
    @SuppressWarnings("unchecked")
    void theStackDatabaseExistsOnlyUnderItsCondition() {
        Map<String, Object> parameters = SamTemplate.map(template.document().get("Parameters"));
        assertEquals("false", String.valueOf(SamTemplate.map(parameters.get("CreateDatabase")).get("Default")));
        Set<String> conditional = new TreeSet<>();
        template.resources().forEach((id, r) -> {
            String type = String.valueOf(r.get("Type"));
            if (type.startsWith("AWS::RDS::") || type.startsWith("AWS::EC2::")) {
                assertEquals(CONDITION, r.get("Condition"), id + " (" + type + ") is created without the stack database");
                conditional.add(id);
            }
        });
        assertTrue(conditional.containsAll(Set.of("StackDatabase", "StackDatabaseInstance", "StackDatabaseSubnets",
                "StackDatabaseSecurityGroup", "StackDatabaseClientSecurityGroup")), conditional.toString());
        // whatever else names them does so only inside !If [HasStackDatabase, …] (or is conditional itself)
        template.resources().forEach((id, r) -> {
            if (!conditional.contains(id)) {
                assertNamesOnlyUnderCondition(id, r.get("Properties"), conditional, false);
            }
        });
        SamTemplate.map(template.document().get("Outputs")).forEach((id, o) -> {
            if (!CONDITION.equals(SamTemplate.map(o).get("Condition"))) {
                assertNamesOnlyUnderCondition("output " + id, o, conditional, false);
            }
        });

        // the functions that connect to it from outside CodeBuild run in its VPC, with the group the cluster admits
        for (String fn : List.of("MovesFunction", "DeployMigrationsFunction")) {
            List<Object> vpc = (List<Object>) SamTemplate.map(template.properties(fn).get("VpcConfig")).get("Fn::If");
            assertEquals(CONDITION, vpc.get(0), fn);
            assertEquals("[${StackDatabaseClientSecurityGroup}]", ((List<Object>) SamTemplate.map(vpc.get(1)).get("SecurityGroupIds"))
                    .stream().map(IamGrants::text).toList().toString(), fn);
            assertEquals("AWS::NoValue", SamTemplate.map(vpc.get(2)).get("Ref"), fn);
        }

        Map<String, Object> cluster = template.properties("StackDatabase");
        assertEquals("aurora-postgresql", cluster.get("Engine"));
        assertEquals(true, cluster.get("StorageEncrypted"));
        assertEquals(true, cluster.get("ManageMasterUserPassword"));
        assertEquals(true, cluster.get("DeletionProtection"));
        assertFalse(cluster.containsKey("MasterUserPassword"), "the password is Secrets Manager's, never the template's");
        assertNotNull(cluster.get("ServerlessV2ScalingConfiguration"));
        assertEquals("Snapshot", template.resources().get("StackDatabase").get("DeletionPolicy"));
        assertEquals("db.serverless", template.properties("StackDatabaseInstance").get("DBInstanceClass"));
        assertEquals(false, template.properties("StackDatabaseInstance").get("PubliclyAccessible"));
        // Postgres on the cluster: from the data jobs' group only
        List<Object> ingress = (List<Object>) template.properties("StackDatabaseSecurityGroup").get("SecurityGroupIngress");
        assertEquals(1, ingress.size());
        assertEquals("${StackDatabaseClientSecurityGroup}", IamGrants.text(SamTemplate.map(ingress.get(0)).get("SourceSecurityGroupId")));
    }

    /**
     * App servers in the database's VPC (AppServerNetwork): the deploy functions may describe the VPC and the app roles'
     * boundary admits the network-interface rights only under HasStackDatabase, and no EC2 right exists outside it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAppServersVpcRightsExistOnlyUnderTheCondition() {
        Set<String> outside = new TreeSet<>();
        template.resources().forEach((id, r) -> {
            if (!CONDITION.equals(r.get("Condition"))) {
                collectEc2Actions(id, r.get("Properties"), false, outside);
            }
        });
        assertEquals(Set.of(), outside, "EC2 rights granted without the stack database");

        IamGrants manage = IamGrants.ofManagedPolicy(template, "AppServersManagePolicy");
        for (String action : List.of("ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs")) {
            assertTrue(manage.forAction(action).stream().allMatch(IamGrants.Grant::conditional) && manage.allowsUnderSomeCondition(action, "*"),
                    "AppServersManagePolicy: " + action + " under the condition only");
        }
        IamGrants boundary = IamGrants.ofManagedPolicy(template, "AppServerRoleBoundary");
        for (String action : dev.slipway.shared.deploy.server.lambda.AppRolePolicy.VPC_ACTIONS) {
            assertTrue(boundary.forAction(action).stream().allMatch(IamGrants.Grant::conditional) && boundary.allowsUnderSomeCondition(action, "*"),
                    "AppServerRoleBoundary caps what AppRolePolicy grants: " + action + " under the condition only");
        }

        // every function that publishes app servers knows the database's subnets and group (empty without it)
        int publishers = 0;
        for (SamTemplate.FunctionSpec f : template.functions()) {
            if (!String.valueOf(template.properties(f.logicalId()).get("Policies")).contains("AppServersManagePolicy")) {
                continue;
            }
            publishers++;
            Map<String, Object> env = SamTemplate.map(SamTemplate.map(template.properties(f.logicalId()).get("Environment")).get("Variables"));
            for (String name : List.of("APP_SERVER_SUBNET_IDS", "APP_SERVER_SECURITY_GROUP_IDS", "STACK_DATABASE_HOST")) {
                List<Object> choice = (List<Object>) SamTemplate.map(env.get(name)).get("Fn::If");
                assertEquals(CONDITION, choice.get(0), f.logicalId() + " " + name);
                assertEquals("", choice.get(2), f.logicalId() + " " + name);
            }
            assertEquals("${DataTable}", IamGrants.text(env.get("DATA_TABLE")), f.logicalId());
        }
        assertTrue(publishers >= 5, "functions with AppServersManagePolicy: " + publishers);
    }

    private static void collectEc2Actions(String where, Object value, boolean underCondition, Set<String> out) {
        if (value instanceof Map<?, ?> m) {
            if (m.get("Fn::If") instanceof List<?> branches && CONDITION.equals(branches.get(0))) {
                collectEc2Actions(where, branches.get(1), true, out);
                collectEc2Actions(where, branches.get(2), underCondition, out);
                return;
            }
            m.values().forEach(v -> collectEc2Actions(where, v, underCondition, out));
        } else if (value instanceof List<?> l) {
            l.forEach(v -> collectEc2Actions(where, v, underCondition, out));
        } else if (!underCondition && value instanceof String text && text.startsWith("ec2:")) {
            out.add(where + ": " + text);
        }
    }

    /** Fails when {@code value} names one of {@code ids} outside the true branch of an {@code !If [HasStackDatabase, …]}. */
    private static void assertNamesOnlyUnderCondition(String where, Object value, Set<String> ids, boolean underCondition) {
        if (value instanceof Map<?, ?> m) {
            if (m.get("Fn::If") instanceof List<?> branches && CONDITION.equals(branches.get(0))) {
                assertNamesOnlyUnderCondition(where, branches.get(1), ids, true);
                assertNamesOnlyUnderCondition(where, branches.get(2), ids, underCondition);
                return;
            }
            if (!underCondition) {
                for (String name : List.of("Ref", "Fn::GetAtt", "Fn::Sub")) {
                    if (m.containsKey(name)) {
                        String text = IamGrants.text(Map.of(name, m.get(name)));
                        for (String id : ids) {
                            assertFalse(text.equals("${" + id + "}") || text.contains("${" + id + ".") || text.contains("${" + id + "}"),
                                    where + " names " + id + " without the stack database: " + text);
                        }
                    }
                }
            }
            for (Object v : m.values()) {
                assertNamesOnlyUnderCondition(where, v, ids, underCondition);
            }
        } else if (value instanceof List<?> l) {
            for (Object v : l) {
                assertNamesOnlyUnderCondition(where, v, ids, underCondition);
            }
        }
    }

    private static Set<String> startable(String machine) {
        Set<String> out = new TreeSet<>();
        for (Object p : (List<?>) template.properties(machine).get("Policies")) {
            for (Object st : (List<?>) SamTemplate.map(p).get("Statement")) {
                Map<String, Object> s = SamTemplate.map(st);
                Object actions = s.get("Action");
                if (String.valueOf(actions).contains("codebuild:StartBuild")) {
                    Object r = s.get("Resource");
                    for (Object one : r instanceof List<?> l ? l : List.of(r)) {
                        out.add(IamGrants.text(one));
                    }
                }
            }
        }
        return out;
    }

    private static void stub(Path bin, String name, String body) throws Exception {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
