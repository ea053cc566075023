package dev.slipway.shared.imports.tree;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Jazzer fuzz test of {@link ZipImport#extract}. Without {@code JAZZER_FUZZ} (plain {@code mvn test})
 * it replays the seed corpus in {@code src/test/resources/.../ZipImportFuzzTestInputs/fuzzZip/}
 * (every hostile case and a few valid archives, written by {@link HostileArchives#writeCorpus});
 * the {@code fuzz} surefire execution of {@code mvn verify} sets {@code JAZZER_FUZZ=1} and
 * fuzzes for {@code maxDuration}. New findings land in that folder as crash files.
 */
class ZipImportFuzzTest {
    /** Small so that bombs and long inputs hit the limits quickly. */
    static final ImportLimits LIMITS = new ImportLimits(64, 1L << 20, 256L << 10, 256);

    @FuzzTest(maxDuration = "15s")
    void fuzzZip(byte[] data) {
        ImportOracle.check(data, LIMITS);
    }

    /** The committed seed corpus is exactly what HostileArchives generates (regenerate with its main). */
    @Test
    void seedCorpusMatchesTheGenerator() throws IOException, URISyntaxException {
        URL url = getClass().getResource("ZipImportFuzzTestInputs/fuzzZip");
        assertNotNull(url, "seed corpus folder missing");
        Path dir = Path.of(url.toURI());
        for (Map.Entry<String, byte[]> v : HostileArchives.valid().entrySet()) {
            assertArrayEquals(v.getValue(), Files.readAllBytes(dir.resolve(v.getKey() + ".zip")), v.getKey());
        }
        for (HostileArchives.Case c : HostileArchives.all()) {
            assertArrayEquals(c.zip(), Files.readAllBytes(dir.resolve(c.name() + ".zip")),
                    c.name() + ": regenerate with HostileArchives.main(\"shared/src/test/resources/dev/slipway/shared/imports/tree/ZipImportFuzzTestInputs/fuzzZip\")");
        }
    }
}
