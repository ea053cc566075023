package dev.slipway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * template.yaml through cfn-lint and statemachines/*.asl.json through asl-validator, the pinned npm
 * versions from package-lock.json (tools/lint/lint.cjs; known spec gaps in cfn-lint-known-gaps.json),
 * and template.yaml through the Python cfn-lint (1.x with the SAM translator: it runs the transform and
 * lints with current specs) where it is on PATH. The negative cases prove the linters can fail.
 */
class LintTest {
    private static Path root;

    @BeforeAll
    static void installLinters() throws Exception {
        root = EmbeddedEngines.repoRoot();
        // `mvn verify` has run `npm ci` already; this covers running the test alone from an IDE.
        if (!Files.isDirectory(root.resolve("node_modules/cfn-lint"))
                || !Files.isDirectory(root.resolve("node_modules/asl-validator"))) {
            Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error",
                    "--replace-registry-host=always"));
            assertEquals(0, install.exit, install.output);
        }
    }

    @Test
    void templateAndStateMachinesPassTheLinters() throws Exception {
        Run lint = lint();
        assertEquals(0, lint.exit, lint.output);
        JsonNode report = Json.parse(lint.output);
        assertTrue(report.path("ok").asBoolean(), lint.output);
        assertEquals(0, report.path("template").path("problems").size(), lint.output);
    }

    @Test
    void aDanglingReferenceInTheTemplateFailsTheLint(@TempDir Path dir) throws Exception {
        String template = Files.readString(root.resolve("template.yaml"));
        assertTrue(template.contains("\nOutputs:\n"));
        Files.writeString(dir.resolve("template.yaml"), template.replace("\nOutputs:\n",
                "\nOutputs:\n  Dangling:\n    Value: !GetAtt NoSuchResource.Arn\n"));

        Run lint = lint(dir.resolve("template.yaml").toString(), dir.resolve("none").toString());
        assertEquals(1, lint.exit, lint.output);
        assertTrue(lint.output.contains("No resource with logical name of NoSuchResource"), lint.output);
    }

    @Test
    void aStateMachineWithAnUnreachableStateFailsTheLint(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.asl.json"), """
                {"StartAt": "Build", "States": {
                  "Build": {"Type": "Task", "Resource": "${BuildFunctionArn}", "End": true},
                  "Orphan": {"Type": "Succeed"}}}
                """);
        Files.writeString(dir.resolve("fine.asl.json"), """
                {"StartAt": "Build", "States": {
                  "Build": {"Type": "Task", "Resource": "${BuildFunctionArn}", "Next": "Done"},
                  "Done": {"Type": "Succeed"}}}
                """);

        Run lint = lint(root.resolve("template.yaml").toString(), dir.toString());
        assertEquals(1, lint.exit, lint.output);
        JsonNode machines = Json.parse(lint.output).path("stateMachines");
        assertEquals(2, machines.size(), lint.output);
        assertTrue(machines.get(0).path("file").asText().endsWith("broken.asl.json"));
        assertFalse(machines.get(0).path("problems").isEmpty(), lint.output);
        assertTrue(machines.get(1).path("problems").isEmpty(), lint.output);
    }

    // ---- the Python cfn-lint (SAM transform + current resource specs)

    /**
     * template.yaml and two small broken templates (local/src/test/resources/lint), linted by one
     * cfn-lint process: each file's findings, rule id first. The broken ones prove that an error and
     * a warning fail the lint; each costs a second or two, a copy of template.yaml ten.
     */
    private static Map<String, List<String>> pythonFindings;

    @Test
    void templatePassesThePythonCfnLint() throws Exception {
        List<String> findings = pythonCfnLint().get("template.yaml");
        assertTrue(findings.stream().noneMatch(f -> f.startsWith("E") || f.startsWith("W")),
                "cfn-lint template.yaml reports errors or warnings:\n" + String.join("\n", findings));
    }

    @Test
    void thePythonCfnLintFailsOnErrorsAndWarnings() throws Exception {
        // An error: a reference to nothing.
        List<String> dangling = pythonCfnLint().get("dangling.yaml");
        assertTrue(dangling.stream().anyMatch(f -> f.startsWith("E") && f.contains("NoSuchResource")), String.join("\n", dangling));
        // A warning only: an empty parameter default may reach CloudFront as a certificate ARN (W1030), the
        // wiring template.yaml had before its certificate got a condition of its own.
        List<String> warned = pythonCfnLint().get("warning.yaml");
        assertTrue(warned.stream().noneMatch(f -> f.startsWith("E")), String.join("\n", warned));
        assertTrue(warned.stream().anyMatch(f -> f.startsWith("W1030")), String.join("\n", warned));
    }

    private static synchronized Map<String, List<String>> pythonCfnLint() throws Exception {
        assumeTrue(onPath("cfn-lint"), "the Python cfn-lint is not on PATH: install it (pip install cfn-lint) to lint the SAM"
                + " transform of template.yaml with current specs; the npm cfn-lint above still runs");
        if (pythonFindings != null) {
            return pythonFindings;
        }
        Run version = run(List.of("cfn-lint", "--version"));
        assertTrue(version.output.startsWith("cfn-lint 1."), "expected cfn-lint 1.x (Python), got " + version.output);
        Path broken = root.resolve("local/src/test/resources/lint");
        // The SAM translator wants a region for ARNs it builds; cfn-lint itself lints for us-east-1 by default.
        Run lint = run(List.of("cfn-lint", "--regions", "us-east-1", "--format", "parseable", "--",
                root.resolve("template.yaml").toString(), broken.resolve("dangling.yaml").toString(),
                broken.resolve("warning.yaml").toString()));
        Map<String, List<String>> findings = new HashMap<>();
        for (String name : List.of("template.yaml", "dangling.yaml", "warning.yaml")) {
            findings.put(name, new ArrayList<>());
        }
        // parseable: file:line:column:endLine:endColumn:rule:message
        for (String line : lint.output.split("\n")) {
            String[] parts = line.split(":", 7);
            if (parts.length == 7) {
                List<String> of = findings.get(Path.of(parts[0]).getFileName().toString());
                assertTrue(of != null, "a finding for a file not linted: " + line);
                of.add(parts[5] + " " + parts[6]);
            } else if (!line.isBlank()) {
                throw new AssertionError("cfn-lint printed what is no finding: " + line + "\n" + lint.output);
            }
        }
        pythonFindings = findings;
        return findings;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static Run lint(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", root.resolve("tools/lint/lint.cjs").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private record Run(int exit, String output) {}

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
