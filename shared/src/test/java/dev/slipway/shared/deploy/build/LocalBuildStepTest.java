package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.StepFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The build's copy of the source: names the import accepted are unpacked as they are, hostile ones refused. */
class LocalBuildStepTest {
    @TempDir
    Path dir;

    private static byte[] zip(String... names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (String n : names) {
                z.putNextEntry(new ZipEntry(n));
                z.write(n.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** A real Replit export's docs: an em dash and an ampersand; builders' users name files in every script. */
    @Test
    void namesOutsideTheUrlSafeSetAreUnpacked() throws IOException {
        String[] names = {"specs/Core Flows — Feed Planning & Weekly Health.md", "public/café-ñandú.png", "docs/日本語.md",
                "src/[id]/page (1).tsx", "package.json"};
        LocalBuildStep.unzip(new ByteArrayInputStream(zip(names)), dir.resolve("app"));
        for (String n : names) {
            assertEquals(n, Files.readString(dir.resolve("app").resolve(n)));
        }
    }

    @Test
    void hostileNamesAreRefused() throws IOException {
        for (String bad : new String[]{"../escape.txt", "a/../../b", "/etc/passwd", "a//b", "a/./b", "bad\u0001name", "a\\b"}) {
            byte[] z = zip(bad);
            Path target = dir.resolve("t" + Math.abs(bad.hashCode()));
            assertThrows(StepFailedException.class, () -> LocalBuildStep.unzip(new ByteArrayInputStream(z), target), bad);
        }
        assertEquals(false, Files.exists(dir.resolve("escape.txt")));
    }
}
