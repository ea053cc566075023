package dev.slipway.shared.imports.tree;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded, deterministic mutation run over the valid and hostile archives, with the same oracle
 * as the Jazzer fuzz test, so plain {@code mvn test} exercises damaged archives too (Jazzer's
 * coverage-guided run happens in {@code mvn verify}).
 */
class ZipImportMutationTest {
    private static final int ITERATIONS = 2_000;
    private static final int[] INTERESTING = {0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 30, 46, 22};

    @Test
    void mutatedArchivesAreImportedSafelyOrRejectedWithA4xx() {
        List<byte[]> seeds = new ArrayList<>(HostileArchives.valid().values());
        for (HostileArchives.Case c : HostileArchives.all()) {
            if (c.zip().length < 64 * 1024) {
                seeds.add(c.zip());
            }
        }
        long openBefore = openFiles();
        long started = System.nanoTime();
        int accepted = 0;
        for (long seed = 1; seed <= ITERATIONS; seed++) {
            Random random = new Random(seed);
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            try {
                if (ImportOracle.check(input, ZipImportFuzzTest.LIMITS)) {
                    accepted++;
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutation seed " + seed + " broke the oracle", e);
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(accepted > 0, "some mutations should still import");
        assertTrue(millis < 20_000, "took " + millis + " ms");
        long openAfter = openFiles();
        assertTrue(openAfter - openBefore < 50, "open files grew from " + openBefore + " to " + openAfter);
    }

    /** Open file descriptors of this JVM (0 where /proc is not available). */
    private static long openFiles() {
        Path fd = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fd)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(fd)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] insert = new byte[1 + random.nextInt(16)];
                    random.nextBytes(insert);
                    byte[] out = new byte[b.length + insert.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(insert, 0, out, at, insert.length);
                    System.arraycopy(b, at, out, at + insert.length, b.length - at);
                    b = out;
                }
                case 4 -> {
                    int v = INTERESTING[random.nextInt(INTERESTING.length)];
                    int width = random.nextBoolean() ? 2 : 4;
                    for (int i = 0; i < width && at + i < b.length; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                }
                default -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(64));
                    int to = random.nextInt(b.length);
                    System.arraycopy(b.clone(), at, b, to, Math.min(len, b.length - to));
                }
            }
        }
        return b;
    }
}
