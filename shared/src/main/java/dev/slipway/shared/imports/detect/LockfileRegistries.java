package dev.slipway.shared.imports.detect;

import dev.slipway.shared.imports.findings.Finding;
import dev.slipway.shared.lockfile.RegistryMapping;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reports lockfiles that pin packages to hosts other than the registry builds use — typically a builder's
 * private npm cache, which answers 403 or does not resolve outside the builder. Builds map those URLs
 * ({@link RegistryMapping}, integrity kept); the finding tells the owner it happens and where they pointed.
 */
final class LockfileRegistries {
    /** Lockfiles of real apps reach a few MB; beyond this the file is not read (and not mapped). */
    static final long MAX_LOCKFILE_BYTES = 50L << 20;

    private LockfileRegistries() {
    }

    static List<Finding> findings(Path root, RegistryMapping mapping) {
        List<Finding> findings = new ArrayList<>();
        for (String name : RegistryMapping.LOCKFILES) {
            Path p = root.resolve(name);
            String text = read(p);
            if (text == null) {
                continue;
            }
            RegistryMapping.Result r = mapping.map(text);
            if (r.changed()) {
                findings.add(new Finding("lockfile-foreign-registry", Finding.WARNING, name, null, null,
                        name + " pins " + r.mapped() + " package URL" + (r.mapped() == 1 ? "" : "s") + " to other hosts ("
                                + hosts(r.mappedByHost()) + "), which may not answer outside the builder; builds fetch the"
                                + " same packages from " + mapping.registry() + " instead, with the lockfile's integrity hashes"
                                + " checked."));
            }
            if (!r.leftAlone().isEmpty()) {
                findings.add(new Finding("lockfile-unmapped-url", Finding.INFO, name, null, null,
                        name + " resolves " + r.leftAlone().size() + (r.leftAlone().size() >= 20 ? "+" : "")
                                + " package(s) from URLs that are not registry tarballs (first: " + r.leftAlone().get(0)
                                + "); builds fetch them from there as they are."));
            }
        }
        return findings;
    }

    private static String hosts(Map<String, Integer> byHost) {
        StringBuilder sb = new StringBuilder();
        byHost.forEach((h, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(h).append(": ").append(n));
        return sb.toString();
    }

    private static String read(Path p) {
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) > MAX_LOCKFILE_BYTES) {
                return null;
            }
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null; // not UTF-8 or unreadable: the build will say what is wrong with it
        }
    }
}
