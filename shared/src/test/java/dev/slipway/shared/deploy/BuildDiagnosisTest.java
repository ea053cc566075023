package dev.slipway.shared.deploy;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log excerpts in the shapes the tools print (written for these tests), each with the line it must give. */
class BuildDiagnosisTest {
    static String diagnose(String log) {
        return BuildDiagnosis.of(log).orElse("(none)");
    }

    @Test
    void aMissingFileNamesTheImporterAndThePath() {
        String rolldown = "\u001B[31m[UNRESOLVED_IMPORT] \u001B[0mCould not resolve './components/Missing' in src/main.jsx\n"
                + "   ╭─[ src/main.jsx:1:21 ]\n";
        assertEquals("missing file: src/main.jsx imports ./components/Missing, which is not in the app", diagnose(rolldown));
        assertEquals("missing file: src/App.tsx imports @/lib/utils, which is not in the app",
                diagnose("[vite]: Failed to resolve import \"@/lib/utils\" from \"src/App.tsx\". Does the file exist?\n"));
        assertEquals("missing file: src imports ./Header, which is not in the app",
                diagnose("Module not found: Can't resolve './Header' in '/build/app/src'"));
        assertEquals("missing package: src/lib/db.ts imports drizzle-orm, which is not installed (add it to package.json's dependencies)",
                diagnose("src/lib/db.ts(1,20): error TS2307: Cannot find module 'drizzle-orm' or its corresponding type declarations."));
    }

    /** Vite 5 and 6 when the config asks for a tool package.json does not list (seen in real Bolt and Lovable exports). */
    @Test
    void aToolTheViteConfigNeedsButPackageJsonLacksIsNamed() {
        String terser = "x Build failed in 5.82s\nerror during build:\n[vite:terser] terser not found. Since Vite v3, terser has"
                + " become an optional dependency. You need to install it.\n    at loadTerserPath (file:///build/app/node_modules/vite/x.js:1:1)\n";
        assertEquals("missing package: the Vite build needs terser, which is not installed (add it to package.json's devDependencies)",
                diagnose(terser));
        assertEquals("missing package: the Vite build needs sass-embedded, which is not installed (add it to package.json's"
                        + " devDependencies)",
                diagnose("[vite:css] Preprocessor dependency \"sass-embedded\" not found. Did you install it? Try `npm install -D"
                        + " sass-embedded`.\nfile: /build/app/src/index.scss"));
    }

    @Test
    void networkLockfileScriptAndMemory() {
        assertEquals("network refused by the build sandbox: npm-cache.builder.invalid:443 (unknown host)",
                diagnose("npm error code E403\n==> network: refused npm-cache.builder.invalid:443: unknown host\n"));
        assertEquals("registry unreachable: registry.example.invalid does not resolve",
                diagnose("npm error request to https://registry.example.invalid/react failed, reason: getaddrinfo ENOTFOUND registry.example.invalid"));
        assertTrue(diagnose("npm error `npm ci` can only install packages when your package.json and package-lock.json or"
                + " npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.")
                .startsWith("lockfile out of step with package.json: package-lock.json does not match"));
        assertTrue(diagnose(" ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\"").contains("pnpm-lock.yaml"));
        assertEquals("package.json has no \"build\" script", diagnose("npm error Missing script: \"build\"\nnpm error"));
        // one package of a Replit pnpm workspace, exported without the workspace root
        assertEquals("package.json uses monorepo versions (catalog:) whose workspace root (pnpm-workspace.yaml) is not in the"
                        + " app: export the whole workspace, or write real versions into package.json",
                diagnose("npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type \"catalog:\": catalog:\n"));
        assertTrue(diagnose("npm error Unsupported URL Type \"workspace:\": workspace:*").contains("(workspace:)"));
        assertEquals("registry refused a package: 404 from https://registry.npmjs.org for some-gone-pkg-1.0.0.tgz (unpublished, or"
                        + " private to the builder: change the dependency, or vendor it into the app)",
                diagnose("npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/some-gone-pkg/-/some-gone-pkg-1.0.0.tgz\n"));
        assertEquals("registry refused a package: 403 from https://npm-cache.example.invalid for x-1.0.0.tgz",
                diagnose("npm error 403 Forbidden - GET https://npm-cache.example.invalid/p/x/-/x-1.0.0.tgz"));
        assertTrue(diagnose("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory")
                .startsWith("out of memory"));
    }

    /** The drift lines as npm 10, pnpm 9, yarn 1.22, yarn 4 and bun 1 print them (captured from real runs). */
    @Test
    void lockfileDriftAsEachToolPrintsIt() {
        String[][] logs = {
                {"npm error code EUSAGE\nnpm error\nnpm error `npm ci` can only install packages when your package.json and"
                        + " package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install`"
                        + " before continuing.\nnpm error\nnpm error Missing: is-odd@3.0.1 from lock file\n", "npm install"},
                {" ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\" because pnpm-lock.yaml is not up to date"
                        + " with <ROOT>/package.json\n", "pnpm install"},
                {"yarn install v1.22.22\n[1/4] Resolving packages...\nerror Your lockfile needs to be updated, but yarn was run"
                        + " with `--frozen-lockfile`.\n", "yarn install"},
                {"\u27a4 YN0028: \u2502 The lockfile would have been modified by this install, which is explicitly forbidden.\n"
                        + "\u27a4 YN0000: \u00b7 Failed with errors in 0s 186ms\n", "yarn install"},
                {"bun install v1.4.5 (a7733435c)\nerror: lockfile had changes, but lockfile is frozen\nnote: dependencies in"
                        + " package.json changed since bun.lock was saved: is-odd was added\n", "bun install"}};
        for (String[] log : logs) {
            String d = diagnose(log[0]);
            assertTrue(d.startsWith("lockfile out of step with package.json"), d);
            assertTrue(d.contains(log[1]), d);
        }
        assertTrue(diagnose(logs[0][0]).contains("(Missing: is-odd@3.0.1 from lock file); run npm install"), diagnose(logs[0][0]));
        assertTrue(diagnose(logs[4][0]).contains("(is-odd was added)"), diagnose(logs[4][0]));
    }

    @Test
    void typeErrorsAreCountedAndTheFirstNamed() {
        String tsc = "src/App.tsx(12,7): error TS2322: Type 'string' is not assignable to type 'number'.\n"
                + "src/App.tsx(20,1): error TS2304: Cannot find name 'foo'.\n";
        assertEquals("type errors (2): src/App.tsx:12 TS2322 Type 'string' is not assignable to type 'number'.", diagnose(tsc));
        assertEquals("type errors (1): src/a.ts:3 TS2304 Cannot find name 'x'.",
                diagnose("src/a.ts:3:5 - error TS2304: Cannot find name 'x'."));
    }

    @Test
    void anUnknownFailureGivesNothing() {
        assertEquals(Optional.empty(), BuildDiagnosis.of("Error: something odd happened\n    at main (build.js:1:1)"));
        assertEquals(Optional.empty(), BuildDiagnosis.of(""));
    }

    @Test
    void markFailedPutsTheDiagnosisFirstAndTheLogTailWhenTheReasonHasNone() {
        String log = "==> build: npm run build\nCould not resolve './x' in src/main.jsx\nnpm error code 1\n";
        String codeBuild = DeploySteps.explained("the build ended FAILED", log);
        assertTrue(codeBuild.startsWith("missing file: src/main.jsx imports ./x, which is not in the app\nthe build ended FAILED\n"
                + "last log lines:\n==> build: npm run build"), codeBuild);
        String local = DeploySteps.explained("npm run build exited with status 1\nlast log lines:\nnpm error code 1", log);
        assertEquals("missing file: src/main.jsx imports ./x, which is not in the app\nnpm run build exited with status 1\n"
                + "last log lines:\nnpm error code 1", local);
        assertEquals("the workflow failed", DeploySteps.explained("the workflow failed", null));
    }
}
