package dev.slipway.shared.imports.detect;

import dev.slipway.shared.apps.BuildSettings;
import dev.slipway.shared.imports.findings.Finding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameworkDetectorTest {
    @TempDir
    Path root;

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static String pkg(String deps, String devDeps, boolean buildScript) {
        return """
                {
                  "name": "app",
                  "private": true,
                  "scripts": { "dev": "vite"%s },
                  "dependencies": { %s },
                  "devDependencies": { %s }
                }
                """.formatted(buildScript ? ", \"build\": \"vite build\"" : "", deps, devDeps);
    }

    private static List<String> rules(Detection d) {
        return d.findings().stream().map(Finding::rule).toList();
    }

    private static Finding finding(Detection d, String rule) {
        return d.findings().stream().filter(f -> f.rule().equals(rule)).findFirst().orElse(null);
    }

    // ---- frameworks ----

    @Test
    void lovableFromDevDependency() throws IOException {
        write("package.json", pkg("\"react\": \"^18.3.1\"", "\"vite\": \"^5.4.1\", \"lovable-tagger\": \"^1.1.7\"", true));
        write("package-lock.json", "{}");
        write("vite.config.ts", """
                import { defineConfig } from "vite";
                import { componentTagger } from "lovable-tagger";
                export default defineConfig(({ mode }) => ({ server: { host: "::", port: 8080 } }));
                """);
        Detection d = FrameworkDetector.detect(root);
        assertEquals("lovable", d.framework());
        assertEquals(new BuildSettings("npm", "npm ci", "npm run build", "dist", "20"), d.build());
        assertEquals(List.of(), d.findings());
    }

    @Test
    void aLockfilePinnedToABuildersPrivateCacheIsReportedWithHostsAndCounts() throws IOException {
        write("package.json", pkg("\"react\": \"^18.3.1\"", "\"vite\": \"^5.4.1\"", true));
        String prefix = "https://npm-cache.builder.invalid/project/sandbox-npm-cache";
        write("package-lock.json", """
                {"lockfileVersion": 3, "packages": {
                  "node_modules/react": {"resolved": "%s/react/-/react-18.3.1.tgz", "integrity": "sha512-a"},
                  "node_modules/@types/react": {"resolved": "%s/@types/react/-/react-18.3.3.tgz", "integrity": "sha512-b"},
                  "node_modules/vite": {"resolved": "https://registry.npmjs.org/vite/-/vite-5.4.1.tgz", "integrity": "sha512-c"},
                  "node_modules/fork": {"resolved": "https://codeload.github.com/x/fork/tar.gz/0123abc"}}}
                """.formatted(prefix, prefix));
        List<Finding> findings = FrameworkDetector.detect(root).findings();
        Finding foreign = findings.stream().filter(f -> f.rule().equals("lockfile-foreign-registry")).findFirst().orElseThrow();
        assertEquals(Finding.WARNING, foreign.severity());
        assertEquals("package-lock.json", foreign.file());
        assertTrue(foreign.message().startsWith("package-lock.json pins 2 package URLs to other hosts (npm-cache.builder.invalid: 2)"),
                foreign.message());
        Finding unmapped = findings.stream().filter(f -> f.rule().equals("lockfile-unmapped-url")).findFirst().orElseThrow();
        assertTrue(unmapped.message().contains("https://codeload.github.com/x/fork/tar.gz/0123abc"), unmapped.message());
        write("package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {}}");
        assertTrue(FrameworkDetector.detect(root).findings().stream().noneMatch(f -> f.rule().startsWith("lockfile-")));
    }

    /** The finding judges against the registry the app's builds use (the app's own or the stack's), not always the public one. */
    @Test
    void theForeignRegistryFindingJudgesAgainstTheRegistryBuildsUse() throws IOException {
        write("package.json", pkg("\"react\": \"^18.3.1\"", "\"vite\": \"^5.4.1\"", true));
        write("package-lock.json", """
                {"lockfileVersion": 3, "packages": {
                  "node_modules/react": {"resolved": "https://registry.npmjs.org/react/-/react-18.3.1.tgz", "integrity": "sha512-a"},
                  "node_modules/vite": {"resolved": "https://npm.corp.invalid/repo/vite/-/vite-5.4.1.tgz", "integrity": "sha512-c"}}}
                """);
        Finding publicView = FrameworkDetector.detect(root).findings().stream()
                .filter(f -> f.rule().equals("lockfile-foreign-registry")).findFirst().orElseThrow();
        assertTrue(publicView.message().contains("(npm.corp.invalid: 1)"), publicView.message());
        Finding corpView = FrameworkDetector.detect(root, "https://npm.corp.invalid/repo/").findings().stream()
                .filter(f -> f.rule().equals("lockfile-foreign-registry")).findFirst().orElseThrow();
        assertTrue(corpView.message().contains("(registry.npmjs.org: 1)"), corpView.message());
        assertTrue(corpView.message().contains("https://npm.corp.invalid/repo/"), corpView.message());
    }

    @Test
    void lovableFromViteConfigOnlyAndWinsOverBolt() throws IOException {
        write("package.json", pkg("", "\"vite\": \"^5.4.1\"", true));
        write("package-lock.json", "{}");
        write("vite.config.js", "import { componentTagger } from 'lovable-tagger';\nexport default {};\n");
        Files.createDirectories(root.resolve(".bolt"));
        assertEquals("lovable", FrameworkDetector.detect(root).framework());
    }

    @Test
    void lovableTaggerInACommentDoesNotCount() throws IOException {
        write("package.json", pkg("", "\"vite\": \"^5.4.1\"", true));
        write("package-lock.json", "{}");
        write("vite.config.js", "// import { componentTagger } from 'lovable-tagger';\nexport default {};\n");
        assertEquals("vite", FrameworkDetector.detect(root).framework());
    }

    @Test
    void boltFromItsFolder() throws IOException {
        write("package.json", pkg("\"react\": \"^18.3.1\"", "\"vite\": \"^5.4.2\"", true));
        write("package-lock.json", "{}");
        write(".bolt/prompt", "For all designs I ask you to make, have them be beautiful.");
        write("vite.config.ts", "export default defineConfig({ plugins: [react()], build: { outDir: './build/web/' } });");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("bolt", d.framework());
        assertEquals("build/web", d.build().outputDir());
        assertEquals("npm ci", d.build().installCommand());
    }

    @Test
    void boltNextAppIsReportedAsNext() throws IOException {
        write("package.json", pkg("\"next\": \"14.2.3\", \"react\": \"18.3.1\"", "", true));
        write("package-lock.json", "{}");
        Files.createDirectories(root.resolve(".bolt"));
        Detection d = FrameworkDetector.detect(root);
        assertEquals("nextjs", d.framework());
        assertNotNull(finding(d, "framework-server"));
    }

    @Test
    void plainViteWithOutDirAndCommentedOutDir() throws IOException {
        write("package.json", pkg("\"vue\": \"^3.4.0\"", "\"vite\": \"^5.0.0\"", true));
        write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
        write("vite.config.mjs", """
                /* build: { outDir: "nope" } */
                // outDir: 'also-nope',
                export default { build: { outDir: "public_html" } };
                """);
        Detection d = FrameworkDetector.detect(root);
        assertEquals("vite", d.framework());
        assertEquals(new BuildSettings("pnpm", "pnpm install --frozen-lockfile", "pnpm run build", "public_html", "20"), d.build());
    }

    @Test
    void viteOutDirOutsideTheTreeFallsBackToDist() throws IOException {
        write("package.json", pkg("", "\"vite\": \"^5.0.0\"", true));
        write("package-lock.json", "{}");
        write("vite.config.ts", "export default { build: { outDir: '../server/public' } };");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("dist", d.build().outputDir());
        Finding f = finding(d, "output-dir-ignored");
        assertNotNull(f);
        assertEquals(Finding.WARNING, f.severity());
        assertEquals("vite.config.ts", f.file());
    }

    @Test
    void createReactApp() throws IOException {
        write("package.json", """
                { "dependencies": { "react": "^18.2.0", "react-scripts": "5.0.1" },
                  "scripts": { "start": "react-scripts start", "build": "react-scripts build" } }
                """);
        write("yarn.lock", "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("create-react-app", d.framework());
        assertEquals(new BuildSettings("yarn", "yarn install --frozen-lockfile", "yarn build", "build", "20"), d.build());
    }

    @Test
    void nextStaticExport() throws IOException {
        write("package.json", pkg("\"next\": \"15.0.0\"", "", true));
        write("package-lock.json", "{}");
        write("next.config.mjs", "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  output: 'export',\n};\nexport default nextConfig;\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("nextjs-static", d.framework());
        assertEquals("out", d.build().outputDir());
        assertEquals(List.of(), d.findings());
    }

    @Test
    void nextStaticExportWithDistDirInTypeScriptConfig() throws IOException {
        write("package.json", pkg("\"next\": \"15.0.0\"", "", true));
        write("package-lock.json", "{}");
        write("next.config.ts", "const config: NextConfig = { output: \"export\", distDir: \"static-out\" };\nexport default config;\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("nextjs-static", d.framework());
        assertEquals("static-out", d.build().outputDir());
    }

    @Test
    void nextWithServerGetsBuildSettingsAndIsAServerApp() throws IOException {
        write("package.json", pkg("\"next\": \"14.2.3\"", "", true));
        write("package-lock.json", "{}");
        write("next.config.js", "module.exports = {\n  // output: 'export',\n  images: { domains: ['x'] },\n};\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("nextjs", d.framework());
        assertEquals(new BuildSettings("npm", "npm ci", "npm run build", ".next", "20"), d.build());
        Finding f = finding(d, "framework-server");
        assertNotNull(f);
        assertEquals(Finding.INFO, f.severity());
        assertEquals("next.config.js", f.file());
        assertTrue(f.message().contains("server"));
        assertTrue(d.findings().stream().noneMatch(x -> x.severity().equals(Finding.CRITICAL)), "it deploys");
    }

    @Test
    void aPythonBackendIsACriticalFinding() throws IOException {
        write("frontend/package.json", pkg("\"react\": \"18.3.1\"", "\"vite\": \"^5.0.0\"", true));
        write("backend/requirements.txt", "fastapi==0.115.0\nuvicorn[standard]\nmotor\n");
        Detection d = FrameworkDetector.detect(root);
        Finding f = finding(d, "python-backend-unsupported");
        assertNotNull(f);
        assertEquals(Finding.CRITICAL, f.severity());
        assertEquals("backend/requirements.txt", f.file());
        assertTrue(f.message().contains("fastapi"), f.message());
    }

    @Test
    void staticSiteWithoutPackageJson() throws IOException {
        write("index.html", "<!doctype html><title>hi</title>");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("static", d.framework());
        assertEquals(new BuildSettings(null, null, null, ".", null), d.build());
        assertEquals(List.of(), d.findings());
    }

    @Test
    void unknownWithoutPackageJsonOrIndexHtml() throws IOException {
        write("README.md", "# hello");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("unknown", d.framework());
        assertEquals(BuildSettings.NONE, d.build());
        assertEquals(List.of("framework-unknown"), rules(d));
        assertEquals(Finding.WARNING, d.findings().get(0).severity());
    }

    @Test
    void unknownFrameworkWithPackageJson() throws IOException {
        write("package.json", "{ \"scripts\": { \"build\": \"webpack\" }, \"devDependencies\": { \"webpack\": \"5\" } }");
        write("package-lock.json", "{}");
        write("index.html", "<html></html>");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("unknown", d.framework());
        assertEquals(new BuildSettings("npm", "npm ci", "npm run build", null, "20"), d.build());
        assertEquals(List.of("framework-unknown"), rules(d));
    }

    // ---- package managers ----

    @Test
    void eachLockfileChoosesItsPackageManager() throws IOException {
        Map<String, BuildSettings> expected = Map.of(
                "package-lock.json", new BuildSettings("npm", "npm ci", "npm run build", "dist", "20"),
                "pnpm-lock.yaml", new BuildSettings("pnpm", "pnpm install --frozen-lockfile", "pnpm run build", "dist", "20"),
                "yarn.lock", new BuildSettings("yarn", "yarn install --frozen-lockfile", "yarn build", "dist", "20"),
                "bun.lockb", new BuildSettings("bun", "bun install --frozen-lockfile", "bun run build", "dist", "20"),
                "bun.lock", new BuildSettings("bun", "bun install --frozen-lockfile", "bun run build", "dist", "20"));
        for (Map.Entry<String, BuildSettings> e : expected.entrySet()) {
            Path dir = Files.createDirectories(root.resolve(e.getKey() + "-app"));
            Files.writeString(dir.resolve("package.json"), pkg("", "\"vite\": \"5\"", true));
            Files.writeString(dir.resolve(e.getKey()), "x");
            Detection d = FrameworkDetector.detect(dir);
            assertEquals(e.getValue(), d.build(), e.getKey());
            assertEquals(List.of(), d.findings(), e.getKey());
        }
    }

    @Test
    void yarnBerryFromYarnrcOrLockfileMetadata() throws IOException {
        write("a/package.json", pkg("", "\"vite\": \"5\"", true));
        write("a/yarn.lock", "x");
        write("a/.yarnrc.yml", "nodeLinker: node-modules\n");
        assertEquals("yarn install --immutable", FrameworkDetector.detect(root.resolve("a")).build().installCommand());

        write("b/package.json", pkg("", "\"vite\": \"5\"", true));
        write("b/yarn.lock", "# This file is generated by running \"yarn install\"\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n");
        assertEquals("yarn install --immutable", FrameworkDetector.detect(root.resolve("b")).build().installCommand());

        write("c/package.json", "{ \"packageManager\": \"yarn@4.5.0\", \"scripts\": { \"build\": \"vite build\" }, \"devDependencies\": { \"vite\": \"5\" } }");
        write("c/yarn.lock", "x");
        assertEquals("yarn install --immutable", FrameworkDetector.detect(root.resolve("c")).build().installCommand());
    }

    @Test
    void packageManagerFieldWinsOverLockfiles() throws IOException {
        write("package.json", "{ \"packageManager\": \"pnpm@9.1.0+sha256.abc\", \"scripts\": { \"build\": \"vite build\" }, \"devDependencies\": { \"vite\": \"5\" } }");
        write("package-lock.json", "{}");
        write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("pnpm", d.build().packageManager());
        assertEquals("pnpm install --frozen-lockfile", d.build().installCommand());
        assertEquals("pnpm run build", d.build().buildCommand());
        assertEquals(List.of("multiple-lockfiles"), rules(d));
        assertEquals(Finding.INFO, d.findings().get(0).severity());
    }

    /** An Emergent export keeps its React app in frontend/ beside a Python backend/. */
    @Test
    void anAppOneFolderDownIsNamed() throws IOException {
        write("frontend/package.json", pkg("\"react\": \"^19.0.0\"", "\"@craco/craco\": \"^7.1.0\"", true));
        write("frontend/yarn.lock", "x");
        write("backend/server.py", "print('api')\n");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("unknown", d.framework());
        Finding f = finding(d, "framework-unknown");
        assertEquals("frontend/package.json", f.file());
        assertTrue(f.message().contains("frontend/package.json is one level down") && f.message().contains("import that folder"),
                f.message());
    }

    /** A builder that moved from npm to bun leaves the old package-lock.json behind (seen in a real Lovable export). */
    @Test
    void withSeveralLockfilesTheOneInStepWithPackageJsonIsUsed() throws IOException {
        String pkg = pkg("\"react\": \"^18.3.1\", \"@capacitor/cli\": \"^8.3.2\"", "\"vite\": \"^5.4.0\"", true);
        String stale = """
                {"name": "app", "lockfileVersion": 3, "requires": true, "packages": {
                  "": {"name": "app", "dependencies": {"react": "^18.3.1", "@capacitor/cli": "^8.0.1"},
                       "devDependencies": {"vite": "^5.4.0"}}}}
                """;
        String bunLock = """
                {
                  "lockfileVersion": 1,
                  "workspaces": {
                    "": {
                      "name": "app",
                      "dependencies": {
                        "@capacitor/cli": "^8.3.2",
                        "react": "^18.3.1",
                      },
                      "devDependencies": {
                        "vite": "^5.4.0",
                      },
                    },
                  },
                  "packages": {},
                }
                """;
        write("a/package.json", pkg);
        write("a/package-lock.json", stale);
        write("a/bun.lock", bunLock);
        Detection d = FrameworkDetector.detect(root.resolve("a"));
        assertEquals("bun", d.build().packageManager());
        assertEquals("bun install --frozen-lockfile", d.build().installCommand());
        assertTrue(finding(d, "multiple-lockfiles").message().contains("Slipway uses bun (its lockfile matches package.json;"
                + " npm's does not)"), finding(d, "multiple-lockfiles").message());

        // package-lock.json in step: npm stays, whatever bun.lock says
        write("b/package.json", pkg);
        write("b/package-lock.json", stale.replace("^8.0.1", "^8.3.2"));
        write("b/bun.lock", bunLock.replace("^8.3.2", "^8.0.1"));
        assertEquals("npm", FrameworkDetector.detect(root.resolve("b")).build().packageManager());

        // both stale, or only a binary bun.lockb beside the stale one: the usual order (and the drift diagnosis)
        write("c/package.json", pkg);
        write("c/package-lock.json", stale);
        write("c/bun.lockb", "\0bun-lockfile-format-v0\n");
        assertEquals("npm", FrameworkDetector.detect(root.resolve("c")).build().packageManager());
    }

    @Test
    void packageManagerFieldWithoutItsLockfile() throws IOException {
        write("package.json", "{ \"packageManager\": \"bun@1.1.0\", \"scripts\": { \"build\": \"vite build\" }, \"devDependencies\": { \"vite\": \"5\" } }");
        write("package-lock.json", "{}");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("bun", d.build().packageManager());
        assertEquals("bun install", d.build().installCommand());
        assertEquals(List.of("no-lockfile"), rules(d));
    }

    @Test
    void noLockfileMeansNpmInstallAndAWarning() throws IOException {
        write("package.json", pkg("", "\"vite\": \"5\"", true));
        Detection d = FrameworkDetector.detect(root);
        assertEquals(new BuildSettings("npm", "npm install", "npm run build", "dist", "20"), d.build());
        Finding f = finding(d, "no-lockfile");
        assertNotNull(f);
        assertEquals(Finding.WARNING, f.severity());
        assertTrue(f.message().contains("reproducible"));
    }

    @Test
    void noBuildScriptMeansNoBuildCommandAndAWarning() throws IOException {
        write("package.json", pkg("", "\"vite\": \"5\"", false));
        write("package-lock.json", "{}");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("vite", d.framework());
        assertNull(d.build().buildCommand());
        assertEquals(List.of("no-build-script"), rules(d));
        assertEquals(Finding.WARNING, d.findings().get(0).severity());
    }

    // ---- Node.js version ----

    private String nodeFrom(String file, String content, String engines) throws IOException {
        Path dir = Files.createTempDirectory(root, "node");
        Files.writeString(dir.resolve("package.json"), engines == null ? pkg("", "\"vite\": \"5\"", true)
                : "{ \"engines\": { \"node\": \"" + engines + "\" }, \"scripts\": { \"build\": \"vite build\" }, \"devDependencies\": { \"vite\": \"5\" } }");
        Files.writeString(dir.resolve("package-lock.json"), "{}");
        if (file != null) {
            Files.writeString(dir.resolve(file), content);
        }
        return FrameworkDetector.detect(dir).build().nodeVersion();
    }

    @Test
    void nodeVersionFromNvmrcAndNodeVersionFiles() throws IOException {
        assertEquals("18", nodeFrom(".nvmrc", "v18.17.0\n", null));
        assertEquals("22", nodeFrom(".nvmrc", "22", null));
        assertEquals("22", nodeFrom(".nvmrc", "lts/*\n", null));
        assertEquals("20", nodeFrom(".nvmrc", "lts/iron", null));
        assertEquals("22", nodeFrom(".nvmrc", "lts/jod", null));
        assertEquals("18", nodeFrom(".nvmrc", "lts/hydrogen", null));
        assertEquals("20", nodeFrom(".nvmrc", "# pinned\n\n  20.11.1  \n", null));
        assertEquals("22", nodeFrom(".node-version", "22.3.0", null));
        assertEquals("18", nodeFrom(".nvmrc", "18", ">=22")); // the file wins over engines
        assertEquals("22", nodeFrom(".nvmrc", "nonsense", ">=22")); // an unreadable file falls through
        assertEquals("20", nodeFrom(null, null, null));
    }

    @Test
    void nodeVersionFromVolta() throws IOException {
        Path dir = Files.createTempDirectory(root, "volta");
        Files.writeString(dir.resolve("package.json"), "{ \"volta\": { \"node\": \"18.19.0\", \"npm\": \"10.2.0\" },"
                + " \"engines\": { \"node\": \">=20\" }, \"scripts\": { \"build\": \"vite build\" } }");
        assertEquals("18", FrameworkDetector.detect(dir).build().nodeVersion(), "volta's pin wins over engines");
        Files.writeString(dir.resolve(".nvmrc"), "22\n");
        assertEquals("22", FrameworkDetector.detect(dir).build().nodeVersion(), ".nvmrc wins over volta");
    }

    @Test
    void nodeVersionFromEngines() throws IOException {
        assertEquals("20", nodeFrom(null, null, ">=18")); // the default when the range allows it
        assertEquals("18", nodeFrom(null, null, "^18.17"));
        assertEquals("18", nodeFrom(null, null, "<20"));
        assertEquals("20", nodeFrom(null, null, "^20.11"));
        assertEquals("20", nodeFrom(null, null, "20.x"));
        assertEquals("20", nodeFrom(null, null, "18 || 20"));
        assertEquals("20", nodeFrom(null, null, ">=19"));
        assertEquals("22", nodeFrom(null, null, ">= 21.0.0"));
        assertEquals("20", nodeFrom(null, null, ">=16"));
        assertEquals("24", nodeFrom(null, null, "^24.0.0"));
        assertEquals("20", nodeFrom(null, null, "not a range"));
    }

    @Test
    void enginesAllowingNoSupportedLtsWarn() throws IOException {
        write("package.json", "{ \"engines\": { \"node\": \">=14 <18\" }, \"scripts\": { \"build\": \"vite build\" }, \"devDependencies\": { \"vite\": \"5\" } }");
        write("package-lock.json", "{}");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("20", d.build().nodeVersion());
        assertEquals(List.of("node-version-unsupported"), rules(d));
    }

    // ---- robustness ----

    @Test
    void malformedPackageJson() throws IOException {
        for (String bad : List.of("{ \"name\": ", "[1, 2]", "\"just a string\"", "{} trailing", "", "{ \"a\": 1, }")) {
            Path dir = Files.createTempDirectory(root, "bad");
            Files.writeString(dir.resolve("package.json"), bad);
            Files.writeString(dir.resolve("package-lock.json"), "{}");
            Detection d = FrameworkDetector.detect(dir);
            assertEquals("unknown", d.framework(), bad);
            assertEquals(List.of("package-json-invalid", "framework-unknown"), rules(d), bad);
            assertEquals(Finding.WARNING, d.findings().get(0).severity());
            assertEquals(new BuildSettings("npm", "npm ci", null, null, "20"), d.build(), bad);
        }
    }

    @Test
    void oddlyTypedFieldsAreIgnoredNotFatal() throws IOException {
        write("package.json", "{ \"scripts\": \"build\", \"dependencies\": [\"vite\"], \"devDependencies\": { \"vite\": 5 }, \"packageManager\": 7, \"engines\": \"node\" }");
        write("package-lock.json", "{}");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("vite", d.framework());
        assertEquals(new BuildSettings("npm", "npm ci", null, "dist", "20"), d.build());
        assertEquals(List.of("no-build-script"), rules(d));
    }

    @Test
    void hugePackageJsonIsNotRead() throws IOException {
        String filler = "x".repeat((int) FrameworkDetector.MAX_FILE_BYTES);
        write("package.json", "{ \"description\": \"" + filler + "\", \"devDependencies\": { \"vite\": \"5\" } }");
        write("package-lock.json", "{}");
        Detection d = FrameworkDetector.detect(root);
        assertEquals("unknown", d.framework());
        Finding f = finding(d, "package-json-invalid");
        assertNotNull(f);
        assertTrue(f.message().contains("1 MiB"), f.message());
    }

    @Test
    void hugeConfigFilesAreIgnored() throws IOException {
        write("package.json", pkg("", "\"vite\": \"5\"", true));
        write("package-lock.json", "{}");
        write("vite.config.js", "export default { build: { outDir: 'big' } };\n//" + "x".repeat((int) FrameworkDetector.MAX_FILE_BYTES));
        assertEquals("dist", FrameworkDetector.detect(root).build().outputDir());
    }

    @Test
    void findingsListIsImmutable() throws IOException {
        write("index.html", "<html></html>");
        Detection d = FrameworkDetector.detect(root);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> d.findings().add(new Finding("x", Finding.INFO, null, null, null, "x")));
    }
}
