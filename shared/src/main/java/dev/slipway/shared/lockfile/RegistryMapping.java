package dev.slipway.shared.lockfile;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Points a lockfile's package URLs at the registry Slipway builds from. Builders pin {@code resolved} URLs to
 * their own caches ({@code https://<host>/<project>/<repo>/<package>/-/<file>.tgz}), which answer 403 or do not
 * resolve outside the builder; npm's {@code --replace-registry-host} swaps the host but keeps the path prefix,
 * so the public registry answers 404. This maps each registry-shaped tarball URL on another host to
 * {@code <registry><package>/-/<file>} and changes nothing else: integrity hashes stay, so the install still
 * fails if the registry's bytes differ from what the lockfile pinned.
 *
 * <p>Works on the text of {@code package-lock.json}, {@code npm-shrinkwrap.json}, {@code bun.lock},
 * {@code yarn.lock} and {@code pnpm-lock.yaml} alike (each URL is replaced where it stands, so formatting and
 * every other byte are kept). URLs that are not registry tarballs (git hosts, other tarballs) are left alone
 * and reported; {@code bun.lockb} is binary and only reported.
 */
public final class RegistryMapping {
    public static final String PUBLIC_NPM = "https://registry.npmjs.org/";
    /** The lockfiles this reads, in the order FrameworkDetector decides the package manager. */
    public static final List<String> LOCKFILES = List.of("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml",
            "yarn.lock", "bun.lock");
    /** Hosts serving the public npm registry's packages: not foreign when the registry is the public one. */
    static final Set<String> PUBLIC_HOSTS = Set.of("registry.npmjs.org", "registry.npmjs.com", "registry.yarnpkg.com");

    /** A tarball URL as registries lay them out: {@code …/<name>/-/<file>.tgz} (scoped: {@code …/@scope/name/-/…}). */
    private static final Pattern REGISTRY_TARBALL = Pattern.compile(
            "https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/(?:[^\\s\"'<>#,?]*/)?-/[^\\s\"'<>#,?/]+\\.tgz");
    /**
     * Where lockfiles keep a resolved URL: npm/yarn {@code resolved}, pnpm {@code tarball:}, bun's second array item
     * (after {@code "name@version"}; an array that starts with a URL is npm's {@code funding} list, not a package).
     */
    private static final Pattern RESOLVED = Pattern.compile(
            "(?:\"resolved\"\\s*:\\s*\"|\\bresolved\\s+\"|\\btarball:\\s*|\\[\\s*\"(?!https?:)[^\"\\s]+\"\\s*,\\s*\")(https?://[^\"\\s,}]+)");

    private final URI registry;
    private final String registryBase;

    /** @param registryUrl the registry builds install from (null or blank: the public npm registry) */
    public RegistryMapping(String registryUrl) {
        String r = registryUrl == null || registryUrl.isBlank() ? PUBLIC_NPM : registryUrl.trim();
        this.registryBase = r.endsWith("/") ? r : r + "/";
        this.registry = URI.create(registryBase);
        if (registry.getHost() == null || !(registry.getScheme().equals("https") || registry.getScheme().equals("http"))) {
            throw new IllegalArgumentException("not a registry URL: " + registryUrl);
        }
    }

    public String registry() {
        return registryBase;
    }

    /**
     * What mapping did to one lockfile.
     *
     * @param text         the lockfile with its foreign registry URLs mapped (the input when nothing was)
     * @param mappedByHost how many URLs were mapped, per host they pointed at
     * @param leftAlone    URLs that are not registry tarballs (git, other tarballs), at most 20, kept as they are
     */
    public record Result(String text, Map<String, Integer> mappedByHost, List<String> leftAlone) {
        public int mapped() {
            return mappedByHost.values().stream().mapToInt(Integer::intValue).sum();
        }

        public boolean changed() {
            return mapped() > 0;
        }

        /** One line for a build log or a finding: "10 URLs of europe-west1-npm.pkg.dev, 2 of …". */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            mappedByHost.forEach((host, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(n).append(n == 1 ? " URL of " : " URLs of ")
                    .append(host));
            return sb.toString();
        }
    }

    public Result map(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, String> replacements = new LinkedHashMap<>();
        Map<String, Integer> byHost = new TreeMap<>();
        Matcher m = REGISTRY_TARBALL.matcher(text);
        while (m.find()) {
            String url = m.group();
            if (replacements.containsKey(url)) {
                byHost.merge(host(url), 1, Integer::sum);
                continue;
            }
            String mapped = mapOne(url);
            if (mapped != null && !mapped.equals(url)) {
                replacements.put(url, mapped);
                byHost.merge(host(url), 1, Integer::sum);
            }
        }
        Set<String> leftAlone = new LinkedHashSet<>();
        Matcher r = RESOLVED.matcher(text);
        while (r.find() && leftAlone.size() < 20) {
            String url = r.group(1);
            if (!REGISTRY_TARBALL.matcher(url).lookingAt() && !onRegistry(url)) {
                leftAlone.add(url);
            }
        }
        String out = text;
        if (!replacements.isEmpty()) {
            StringBuilder sb = new StringBuilder(text.length());
            Matcher again = REGISTRY_TARBALL.matcher(text);
            int last = 0;
            while (again.find()) {
                String to = replacements.get(again.group());
                if (to != null) {
                    sb.append(text, last, again.start()).append(to);
                    last = again.end();
                }
            }
            out = sb.append(text, last, text.length()).toString();
        }
        return new Result(out, byHost, new ArrayList<>(leftAlone));
    }

    /** The URL on the configured registry, null if it already is there, or it is not a registry tarball URL. */
    String mapOne(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (u.getHost() == null || onRegistry(url)) {
            return null;
        }
        List<String> segments = new ArrayList<>(List.of(u.getRawPath().split("/")));
        segments.removeIf(String::isEmpty);
        int dash = segments.lastIndexOf("-");
        if (dash < 1 || dash != segments.size() - 2) {
            return null;
        }
        String file = segments.get(dash + 1);
        String name = URLDecoder.decode(segments.get(dash - 1), StandardCharsets.UTF_8);
        if (!name.startsWith("@") && dash >= 2 && segments.get(dash - 2).startsWith("@")) {
            name = segments.get(dash - 2) + "/" + name;
        }
        String bare = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
        if (!file.startsWith(bare + "-") || !VALID_NAME.matcher(name).matches()) {
            return null; // not <name>/-/<name>-<version>.tgz: leave it as it is
        }
        return registryBase + name + "/-/" + file;
    }

    private static final Pattern VALID_NAME = Pattern.compile("(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*",
            Pattern.CASE_INSENSITIVE);

    /** On the configured registry (or the public one's mirrors, when that is the public registry). */
    private boolean onRegistry(String url) {
        String host = host(url);
        String registryHost = registry.getHost().toLowerCase(Locale.ROOT);
        if (host.equals(registryHost) && url.startsWith(registryBase.substring(0, registryBase.length() - 1))) {
            return true;
        }
        return PUBLIC_HOSTS.contains(registryHost) && PUBLIC_HOSTS.contains(host);
    }

    private static String host(String url) {
        try {
            String h = URI.create(url).getHost();
            return h == null ? "" : h.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
