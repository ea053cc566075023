package dev.slipway.shared.lockfile;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lockfile texts written for these tests, in the shapes each package manager writes. */
class RegistryMappingTest {
    static final String PRIVATE = "https://builder-cache.example.invalid/project-x/npm-cache";
    static final RegistryMapping PUBLIC = new RegistryMapping(null);

    @Test
    void packageLockPathPrefixedAndScopedUrlsMoveToTheRegistryWithIntegrityKept() {
        String lock = """
                {
                  "name": "shop",
                  "lockfileVersion": 3,
                  "packages": {
                    "node_modules/react": {
                      "version": "18.3.1",
                      "resolved": "%s/react/-/react-18.3.1.tgz",
                      "integrity": "sha512-react"
                    },
                    "node_modules/@radix-ui/react-slot": {
                      "version": "1.1.0",
                      "resolved": "%s/@radix-ui/react-slot/-/react-slot-1.1.0.tgz",
                      "integrity": "sha512-slot"
                    },
                    "node_modules/@scope/enc": {
                      "resolved": "%s/@scope%%2fenc/-/enc-2.0.0.tgz",
                      "integrity": "sha512-enc"
                    },
                    "node_modules/vite": {
                      "resolved": "https://registry.npmjs.org/vite/-/vite-5.4.1.tgz",
                      "integrity": "sha512-vite"
                    },
                    "node_modules/forked": {
                      "resolved": "git+ssh://git@github.com/someone/forked.git#abc123"
                    },
                    "node_modules/tarball": {
                      "resolved": "https://codeload.github.com/someone/tarball/tar.gz/abc123"
                    }
                  }
                }
                """.formatted(PRIVATE, PRIVATE, PRIVATE);
        RegistryMapping.Result r = PUBLIC.map(lock);
        assertEquals(Map.of("builder-cache.example.invalid", 3), r.mappedByHost());
        assertTrue(r.text().contains("\"resolved\": \"https://registry.npmjs.org/react/-/react-18.3.1.tgz\""), r.text());
        assertTrue(r.text().contains("\"https://registry.npmjs.org/@radix-ui/react-slot/-/react-slot-1.1.0.tgz\""));
        assertTrue(r.text().contains("\"https://registry.npmjs.org/@scope/enc/-/enc-2.0.0.tgz\""), r.text());
        assertFalse(r.text().contains("example.invalid"));
        for (String integrity : List.of("sha512-react", "sha512-slot", "sha512-enc", "sha512-vite")) {
            assertTrue(r.text().contains("\"integrity\": \"" + integrity + "\""), integrity);
        }
        assertEquals(List.of("https://codeload.github.com/someone/tarball/tar.gz/abc123"), r.leftAlone(),
                "git+ssh is not an http URL; the tarball is not a registry one: both stay, the tarball is reported");
        assertEquals(lock.length() - 3 * (PRIVATE.length() - "https://registry.npmjs.org".length()) - 2, r.text().length(),
                "nothing but the URLs changed (the encoded scope is decoded: %2f → /)");
        assertEquals("3 URLs of builder-cache.example.invalid", r.describe());
    }

    @Test
    void bunLockYarnLockAndPnpmLockToo() {
        String bun = """
                {
                  "lockfileVersion": 1,
                  "packages": {
                    "react": ["react@18.3.1", "%s/react/-/react-18.3.1.tgz", {}, "sha512-react"],
                    "vite": ["vite@5.4.1", "", {}, "sha512-vite"],
                  }
                }
                """.formatted(PRIVATE);
        RegistryMapping.Result b = PUBLIC.map(bun);
        assertEquals(1, b.mapped());
        assertTrue(b.text().contains("[\"react@18.3.1\", \"https://registry.npmjs.org/react/-/react-18.3.1.tgz\", {}, \"sha512-react\"]"));

        String yarn = """
                react@^18.3.1:
                  version "18.3.1"
                  resolved "https://mirror.example.invalid/npm/react/-/react-18.3.1.tgz#0123abcd"
                  integrity sha512-react

                vite@^5.4.1:
                  version "5.4.1"
                  resolved "https://registry.yarnpkg.com/vite/-/vite-5.4.1.tgz#89ab"
                """;
        RegistryMapping.Result y = PUBLIC.map(yarn);
        assertEquals(Map.of("mirror.example.invalid", 1), y.mappedByHost(), "the yarn registry mirrors the public one");
        assertTrue(y.text().contains("resolved \"https://registry.npmjs.org/react/-/react-18.3.1.tgz#0123abcd\""), y.text());
        assertTrue(y.text().contains("https://registry.yarnpkg.com/vite/-/vite-5.4.1.tgz#89ab"));

        String pnpm = """
                lockfileVersion: '9.0'
                packages:
                  react@18.3.1:
                    resolution: {integrity: sha512-react, tarball: %s/react/-/react-18.3.1.tgz}
                  vite@5.4.1:
                    resolution: {integrity: sha512-vite}
                """.formatted(PRIVATE);
        RegistryMapping.Result p = PUBLIC.map(pnpm);
        assertEquals(1, p.mapped());
        assertTrue(p.text().contains("tarball: https://registry.npmjs.org/react/-/react-18.3.1.tgz}"), p.text());
    }

    @Test
    void aConfiguredRegistryIsTheTargetAndThePublicOneBecomesForeign() {
        RegistryMapping company = new RegistryMapping("https://acme-123.d.codeartifact.eu-west-1.amazonaws.com/npm/shared");
        RegistryMapping.Result r = company.map("\"resolved\": \"https://registry.npmjs.org/react/-/react-18.3.1.tgz\"");
        assertEquals("\"resolved\": \"https://acme-123.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/react/-/react-18.3.1.tgz\"",
                r.text());
        assertEquals(Map.of("registry.npmjs.org", 1), r.mappedByHost());
        RegistryMapping.Result same = company.map(r.text());
        assertFalse(same.changed(), "mapping is idempotent");
    }

    @Test
    void urlsThatAreNotRegistryTarballsStay() {
        assertNull(PUBLIC.mapOne("https://example.invalid/react/-/other-1.0.0.tgz"), "file name not of the package");
        assertNull(PUBLIC.mapOne("https://example.invalid/-/react-1.0.0.tgz"), "no package name");
        assertNull(PUBLIC.mapOne("https://registry.npmjs.org/react/-/react-18.3.1.tgz"), "already there");
        assertEquals("https://registry.npmjs.org/a.b_c/-/a.b_c-1.0.0-beta.1.tgz",
                PUBLIC.mapOne("http://10.0.0.5:4873/a.b_c/-/a.b_c-1.0.0-beta.1.tgz"));
        // npm lists several funding links as an array of URLs: not package URLs (a real v0 export was told otherwise)
        String funding = "{\"node_modules/uuid\": {\"version\": \"9.0.1\",\n  \"resolved\": \"https://registry.npmjs.org/uuid/-/uuid-9.0.1.tgz\",\n"
                + "  \"funding\": [\n    \"https://github.com/sponsors/one\",\n    \"https://github.com/sponsors/two\"\n  ]}}";
        assertEquals(List.of(), PUBLIC.map(funding).leftAlone());
        String untouched = "{\"resolved\": \"file:../local-pkg\"}";
        assertEquals(untouched, PUBLIC.map(untouched).text());
        assertThrows(IllegalArgumentException.class, () -> new RegistryMapping("ftp://registry.example"));
    }
}
