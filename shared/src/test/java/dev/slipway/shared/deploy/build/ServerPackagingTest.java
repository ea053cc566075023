package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server bundle's checks: the size limit counts what a zip really holds, and the entry must be in it.
 * (Packaging real apps runs end to end in FullStackEndToEndTest and, for the buildspec, TemplateAwsSpecTest.)
 */
class ServerPackagingTest {
    @TempDir
    static Path shared;

    @Test
    void theSizeLimitCountsTheBytesAZipReallyHolds() throws IOException {
        Path dir = Files.createDirectories(shared.resolve("big/bundle"));
        Files.writeString(dir.resolve("server.js"), "x".repeat(10_000));
        Path zip = shared.resolve("big/bundle.zip");
        assertThrows(ServerOutput.TooLarge.class, () -> ServerOutput.zip(dir, zip, 9_999));
        assertEquals(10_000, ServerOutput.zip(dir, zip, 10_000));
        ServerOutput.TooLarge e = assertThrows(ServerOutput.TooLarge.class, () -> ServerOutput.measure(zip, "server.js", 5_000));
        assertTrue(e.getMessage().contains("unzipped") && e.getMessage().contains("zipped") && e.getMessage().contains("over the limit"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerOutput.measure(zip, "main.js", 20_000), "the entry must be in it");
    }

    @Test
    void aBundleWithAPathOutOfItsFolderIsRefused() throws IOException {
        Path zip = shared.resolve("evil.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("server.js"));
            out.write("ok".getBytes());
            out.putNextEntry(new java.util.zip.ZipEntry("../outside.js"));
            out.write("no".getBytes());
        }
        assertThrows(IllegalArgumentException.class, () -> ServerOutput.measure(zip, "server.js", ServerBundle.MAX_UNZIPPED_BYTES));
        Path target = Files.createDirectories(shared.resolve("unzip/app"));
        try (var in = Files.newInputStream(zip)) {
            assertThrows(IllegalArgumentException.class, () -> ServerOutput.unzip(in, target));
        }
        assertTrue(Files.notExists(shared.resolve("unzip/outside.js")));
    }
}
