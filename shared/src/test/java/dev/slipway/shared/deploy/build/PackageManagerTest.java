package dev.slipway.shared.deploy.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which package manager runs, and how, when it is not on PATH (the buildspec applies the same rules). */
class PackageManagerTest {
    @TempDir
    Path dir;

    @Test
    void theVersionComesFromPackageManagerElseTheLockfile() throws IOException {
        Files.writeString(dir.resolve("package.json"), "{}");
        Path pnpmLock = Files.writeString(dir.resolve("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
        assertEquals("pnpm@9", PackageManager.PNPM.npxPackage(dir, pnpmLock));
        Files.writeString(pnpmLock, "lockfileVersion: '6.0'\n");
        assertEquals("pnpm@8", PackageManager.PNPM.npxPackage(dir, pnpmLock));
        Files.writeString(pnpmLock, "lockfileVersion: 5.4\n");
        assertEquals("pnpm@7", PackageManager.PNPM.npxPackage(dir, pnpmLock));
        Path yarnLock = Files.writeString(dir.resolve("yarn.lock"), "# yarn lockfile v1\n");
        assertEquals("yarn@1", PackageManager.YARN.npxPackage(dir, yarnLock));
        Files.writeString(yarnLock, "__metadata:\n  version: 8\n");
        assertEquals("-p @yarnpkg/cli-dist@4 yarn", PackageManager.YARN.npxPackage(dir, yarnLock));
        assertEquals("bun@1", PackageManager.BUN.npxPackage(dir, null));

        Files.writeString(dir.resolve("package.json"), "{ \"packageManager\": \"pnpm@9.12.3+sha512.abc\" }");
        assertEquals("pnpm@9.12.3", PackageManager.PNPM.npxPackage(dir, pnpmLock));
        assertEquals("bun@1", PackageManager.BUN.npxPackage(dir, null), "another tool's packageManager is not ours");
        Files.writeString(dir.resolve("package.json"), "{ \"packageManager\": \"yarn@3.6.4\" }");
        assertEquals("-p @yarnpkg/cli-dist@3.6.4 yarn", PackageManager.YARN.npxPackage(dir, yarnLock));
    }

    @Test
    void theToolOnPathIsUsedExceptYarnForABerryLockfile() throws IOException {
        Files.writeString(dir.resolve("package.json"), "{}");
        Path yarnLock = Files.writeString(dir.resolve("yarn.lock"), "__metadata:\n  version: 8\n");
        PackageManager.ExecutableLookup all = Set.of("npm", "npx", "pnpm", "yarn", "bun")::contains;
        PackageManager.ExecutableLookup npxOnly = Set.of("npm", "npx")::contains;
        assertEquals(Optional.of("pnpm"), PackageManager.PNPM.launcher(all, dir, null));
        assertEquals(Optional.of("bun"), PackageManager.BUN.launcher(all, dir, null));
        assertEquals(Optional.of("npx --yes -p @yarnpkg/cli-dist@4 yarn"), PackageManager.YARN.launcher(all, dir, yarnLock));
        assertEquals(Optional.of("npx --yes bun@1"), PackageManager.BUN.launcher(npxOnly, dir, null));
        assertEquals(Optional.empty(), PackageManager.BUN.launcher(Set.of("npm")::contains, dir, null));
        assertEquals("pnpm install --frozen-lockfile", PackageManager.PNPM.installCommand(dir.resolve("pnpm-lock.yaml")));
        assertEquals("yarn install --immutable", PackageManager.YARN.installCommand(yarnLock));
        assertEquals("bun install", PackageManager.BUN.installCommand(null));
        assertEquals("bun run build", PackageManager.BUN.buildCommand());
    }
}
