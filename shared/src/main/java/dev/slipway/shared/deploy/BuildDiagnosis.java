package dev.slipway.shared.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line a failed deployment starts with: what went wrong in the build, read from the end of its log
 * (the same for CodeBuild and local builds, since MarkFailed reads the log both upload). Recognises the common
 * classes — a missing file or package (naming the importing file and the missing path), a registry or host
 * the build could not reach, a lockfile out of step with package.json, no build script, Node running out of
 * memory, type errors — and says nothing when it does not recognise the failure (the log tail follows anyway).
 */
public final class BuildDiagnosis {
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    private record Rule(Pattern pattern, Diagnose diagnose) {
    }

    @FunctionalInterface
    private interface Diagnose {
        String of(Matcher m, List<String> lines);
    }

    private static final List<Rule> RULES = List.of(
            // Vite 6+/rolldown, esbuild, Rollup: Could not resolve './x' in src/a.jsx | from "src/a.jsx"
            rule("Could not resolve ['\"]([^'\"]+)['\"] (?:in|from) ['\"]?([^\\s'\"]+)", (m, l) -> missing(m.group(2), m.group(1))),
            // Vite 5
            rule("Failed to resolve import ['\"]([^'\"]+)['\"] from ['\"]([^'\"]+)['\"]", (m, l) -> missing(m.group(2), m.group(1))),
            // webpack, Next.js
            rule("Module not found: (?:Error: )?Can't resolve '([^']+)' in '([^']+)'", (m, l) -> missing(m.group(2), m.group(1))),
            rule("(\\S+\\.(?:ts|tsx|mts|cts))\\(\\d+,\\d+\\): error TS2307: Cannot find module '([^']+)'",
                    (m, l) -> missing(m.group(1), m.group(2))),
            rule("Cannot find (?:module|package) '([^']+)'(?: imported from (\\S+))?",
                    (m, l) -> missing(m.group(2) == null ? "a build script" : m.group(2), m.group(1))),
            // Vite's optional tools: minify: 'terser' without terser, a stylesheet language without its compiler
            rule("\\[vite:[\\w-]+\\] ([@\\w./-]+) not found\\. Since Vite", (m, l) -> toolMissing(m.group(1))),
            rule("Preprocessor dependency \"([^\"]+)\" not found", (m, l) -> toolMissing(m.group(1))),
            // the build sandbox's egress proxy
            rule("network: refused (\\S+): (.+)", (m, l) -> "network refused by the build sandbox: " + m.group(1) + " (" + m.group(2) + ")"),
            rule("getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([^\\s:]+)", (m, l) -> "registry unreachable: " + m.group(1) + " does not resolve"),
            rule("(?:npm (?:ERR!|error) )?(40[134]) [A-Za-z ]+ - GET (https?://[^/\\s]+)(\\S*)",
                    (m, l) -> "registry refused a package: " + m.group(1) + " from " + m.group(2) + tarball(m.group(1), m.group(3))),
            rule("(?:ECONNREFUSED|ETIMEDOUT|ECONNRESET)\\s+(\\S+:\\d+)", (m, l) -> "registry unreachable: " + m.group(1)),
            // lockfile drift
            rule("can only install packages when your package\\.json and (\\S+) (?:or \\S+ )?are in sync",
                    (m, l) -> "lockfile out of step with package.json: " + m.group(1) + " does not match its dependencies"
                            + detail(l, "^(?:npm (?:ERR!|error) )?((?:Missing|Invalid): .+)$")
                            + "; run npm install and commit the lockfile"),
            rule("ERR_PNPM_OUTDATED_LOCKFILE|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH",
                    (m, l) -> "lockfile out of step with package.json: run pnpm install and commit pnpm-lock.yaml"),
            rule("Your lockfile needs to be updated|The lockfile would have been modified by this install",
                    (m, l) -> "lockfile out of step with package.json: run yarn install and commit yarn.lock"),
            rule("lockfile had changes, but lockfile is frozen",
                    (m, l) -> "lockfile out of step with package.json"
                            + detail(l, "^note: dependencies in package\\.json changed since \\S+ was saved: (.+)$")
                            + ": run bun install and commit bun.lock"),
            // a package cut out of a pnpm/yarn/bun monorepo: its versions live in the workspace root the export lacks
            rule("Unsupported URL Type \"(catalog|workspace):\"|ERR_PNPM_(?:CATALOG_ENTRY_NOT_FOUND_FOR_SPEC|WORKSPACE_PKG_NOT_FOUND)"
                            + "|No matching version found for .+@(catalog|workspace):",
                    (m, l) -> "package.json uses monorepo versions (" + (m.group(1) != null ? m.group(1) : m.group(2) != null
                            ? m.group(2) : "catalog") + ":) whose workspace root (pnpm-workspace.yaml) is not in the app: export"
                            + " the whole workspace, or write real versions into package.json"),
            rule("Missing script: \"?([A-Za-z0-9:_-]+)\"?", (m, l) -> "package.json has no \"" + m.group(1) + "\" script"),
            rule("JavaScript heap out of memory|FATAL ERROR: Reached heap limit",
                    (m, l) -> "out of memory: Node's heap filled up; set NODE_OPTIONS=--max-old-space-size=<MB> in the app's"
                            + " environment, or make the build smaller"),
            rule("(\\S+\\.(?:ts|tsx|mts|cts|vue|svelte))(?:\\((\\d+),(\\d+)\\)|:(\\d+):(\\d+)) ?[:-] error (TS\\d+): (.+)",
                    BuildDiagnosis::typeErrors));

    private BuildDiagnosis() {
    }

    private static Rule rule(String regex, Diagnose d) {
        return new Rule(Pattern.compile(regex), d);
    }

    /** The diagnosis of a failed build's log (its end is enough), or empty when no rule knows it. */
    public static Optional<String> of(String log) {
        if (log == null || log.isBlank()) {
            return Optional.empty();
        }
        List<String> lines = plainLines(log);
        for (Rule r : RULES) {
            for (String line : lines) {
                Matcher m = r.pattern().matcher(line);
                if (m.find()) {
                    return Optional.of(cap(r.diagnose().of(m, lines)));
                }
            }
        }
        return Optional.empty();
    }

    /** {@code text} without terminal colour and cursor codes (tools print them even without a terminal). */
    public static String withoutColours(String text) {
        return ANSI.matcher(text).replaceAll("");
    }

    /** The log's lines without terminal colours, trimmed. */
    public static List<String> plainLines(String log) {
        List<String> out = new ArrayList<>();
        for (String line : withoutColours(log).split("\r?\n")) {
            out.add(line.strip());
        }
        return out;
    }

    private static String missing(String importer, String spec) {
        String from = importer.startsWith("/build/app/") ? importer.substring("/build/app/".length()) : importer;
        if (spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("@/") || spec.startsWith("~/")) {
            return "missing file: " + from + " imports " + spec + ", which is not in the app";
        }
        return "missing package: " + from + " imports " + spec + ", which is not installed (add it to package.json's"
                + " dependencies)";
    }

    /** " for weelog-1.0.0.tgz (…)" when the URL names a tarball: a 404 there is a version the registry does not have. */
    private static String tarball(String status, String path) {
        int slash = path.lastIndexOf('/');
        if (!path.endsWith(".tgz") || slash < 0) {
            return "";
        }
        return " for " + path.substring(slash + 1) + (status.equals("404")
                ? " (unpublished, or private to the builder: change the dependency, or vendor it into the app)" : "");
    }

    private static String toolMissing(String tool) {
        return "missing package: the Vite build needs " + tool + ", which is not installed (add it to package.json's"
                + " devDependencies)";
    }

    private static String typeErrors(Matcher first, List<String> lines) {
        long n = lines.stream().filter(l -> l.matches(".*\\.(?:ts|tsx|mts|cts|vue|svelte)(?:\\(\\d+,\\d+\\)|:\\d+:\\d+) ?[:-] error TS\\d+:.*")).count();
        String line = first.group(2) != null ? first.group(2) : first.group(4);
        return "type errors (" + n + "): " + first.group(1) + ":" + line + " " + first.group(6) + " " + first.group(7);
    }

    /** " (<first group of the first line matching regex>)", or "" when none does. */
    private static String detail(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                return " (" + m.group(1) + ")";
            }
        }
        return "";
    }

    private static String cap(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
