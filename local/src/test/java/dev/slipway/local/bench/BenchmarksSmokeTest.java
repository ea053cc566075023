package dev.slipway.local.bench;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every benchmark {@code ./slipway help} and docs/benchmarks.md name runs at a tiny size through the
 * entry point {@code ./slipway bench} uses (the main class the script maps it to, in a JVM of its own,
 * from the Slipway folder), exits 0 and prints its figures, each a finite number. Issue 13: the deploy
 * benchmark had rotted (it crashed on a fresh clone) without anything noticing.
 * <p>
 * No figure is compared with a limit: speed is what the benchmarks print, never what a test asserts.
 * Each benchmark starts its own engines (the cleanup benchmark writes the edge's routes before its
 * runtime starts) on free ports, so the sizes and running two at a time (junit-platform.properties) keep this quick.
 */
@Execution(ExecutionMode.CONCURRENT)
class BenchmarksSmokeTest {
    /** The tiny arguments of each benchmark, in the order of {@code ./slipway help}. */
    private static final Map<String, List<String>> TINY = new LinkedHashMap<>();

    static {
        TINY.put("import", List.of("3", "1"));                  // 3 files, 1 round
        TINY.put("deploy", List.of("1", "501", "1"));           // 501 files: one more than a page of upload URLs, so nextUploads is followed
        TINY.put("rollback", List.of("3", "2,4", "3"));         // 3 rollbacks per case; 2 and 4 releases of 3 files
        TINY.put("cleanup", List.of("30", "2", "4"));           // 30 previews; 2, then 4 expired (+20 warm-up, +10 for POST /cleanup)
        TINY.put("git", List.of("20", "3", "1"));               // 20 files, 3 commits, 1 round
        TINY.put("fullstack", List.of("5"));                    // 5 rounds, 3 cold starts: no build (releases written directly)
        TINY.put("database", List.of("5"));                     // 5 MB of tables
    }

    /** A number as the benchmarks print it: "1,234.5", "0.27", "-" never. */
    private static final String NUMBER = "(-?[0-9][0-9,]*(?:\\.[0-9]+)?)";
    private static final Path ROOT = EmbeddedEngines.repoRoot();

    @TempDir
    Path temp;

    @Test
    void everyBenchmarkTheHelpAndTheBenchmarksPageNameHasASmokeRun() throws IOException {
        Set<String> inHelp = names(Files.readString(ROOT.resolve("slipway")), Pattern.compile("(?m)^#\\s+\\./slipway bench (\\w+)"));
        Set<String> inDocs = names(Files.readString(ROOT.resolve("docs/benchmarks.md")), Pattern.compile("(?m)^\\./slipway bench (\\w+)"));
        assertEquals(new TreeSet<>(TINY.keySet()), inHelp, "./slipway help");
        assertEquals(new TreeSet<>(TINY.keySet()), inDocs, "docs/benchmarks.md");
        for (String benchmark : TINY.keySet()) {
            mainClass(benchmark); // the script dispatches each to a class that exists
        }
    }

    @Test
    void importRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies(); // every benchmark's runtime starts the local Step Functions
        String out = run("import");
        List<Matcher> lines = figures(out, Pattern.compile("(?m)^(.+?)\\s+slipway\\s+" + NUMBER + " ms\\s+git add -A && git commit\\s+"
                + NUMBER + " ms\\s+ratio " + NUMBER + "x$"), 3);
        assertTrue(lines.get(0).group(1).startsWith("first import (3 new files)"), out);
        assertTrue(lines.get(1).group(1).startsWith("re-import, one file changed"), out);
        for (Matcher m : lines) {
            positive(out, m, 2, 3, 4);
        }
    }

    @Test
    void deployRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        String out = run("deploy");
        positive(out, one(out, "^redeploy of an unchanged tree \\S+\\s+" + NUMBER + " ms\\s+first deploy \\(build, warm cache\\)\\s+" + NUMBER
                + " ms\\s+ratio\\s+" + NUMBER + " %"), 1, 2, 3);
        positive(out, one(out, "^  of which the workflow\\s+" + NUMBER + " ms"), 1);
        positive(out, one(out, "^Build step, dependency cache hit\\s+" + NUMBER + " ms\\s+Build with a fresh cache folder\\s+" + NUMBER
                + " ms\\s+ratio\\s+" + NUMBER + " %"), 1, 2, 3);
        String parts = "\\(create " + NUMBER + ", PUT " + NUMBER + ", finalize " + NUMBER + " ms; " + NUMBER + " files, " + NUMBER + " bytes uploaded";
        Matcher all = one(out, "^direct upload, 501 new files\\s+" + NUMBER + " ms\\s+" + parts + " of " + NUMBER + "\\)");
        positive(out, all, 1, 5, 6, 7);
        nonNegative(out, all, 2, 3, 4);
        assertEquals(501, number(all, 5), "every file uploaded, the URLs of both pages followed\n" + out);
        assertEquals(number(all, 7), number(all, 6), "all bytes of the site uploaded\n" + out);
        Matcher changed = one(out, "^direct upload, one file changed\\s+" + NUMBER + " ms\\s+" + parts + "\\)");
        positive(out, changed, 1, 5, 6);
        nonNegative(out, changed, 2, 3, 4);
        assertEquals(1, number(changed, 5), "only the changed file uploaded\n" + out);
        positive(out, one(out, "^  ratio changed / new\\s+" + NUMBER + " %"), 1);
    }

    @Test
    void gitRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        String out = run("git");
        List<Matcher> lines = figures(out, Pattern.compile("(?m)^(.+?)\\s+slipway\\s+" + NUMBER + " ms\\s+git http-backend\\s+"
                + NUMBER + " ms\\s+ratio " + NUMBER + "x$"), 2);
        assertTrue(lines.get(0).group(1).startsWith("clone (20 files, 3 commits)"), out);
        assertTrue(lines.get(1).group(1).startsWith("fetch of one new commit"), out);
        for (Matcher m : lines) {
            positive(out, m, 2, 3, 4);
        }
    }

    @Test
    void rollbackRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        String out = run("rollback");
        // releases, files, p50, p99, max, API p50 (ms), setup (s): one row per case
        List<Matcher> rows = figures(out, Pattern.compile("(?m)^" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+"
                + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "$"), 2);
        assertEquals(List.of(2.0, 4.0), List.of(number(rows.get(0), 1), number(rows.get(1), 1)), out);
        for (Matcher row : rows) {
            assertEquals(3, number(row, 2), out);
            positive(out, row, 3, 4, 5, 6, 7);
            assertTrue(number(row, 3) <= number(row, 4) && number(row, 4) <= number(row, 5), "p50 <= p99 <= max: " + row.group());
        }
    }

    @Test
    void fullstackRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        String out = run("fullstack");
        positive(out, one(out, "^first request, cold server:\\s+p50\\s+" + NUMBER + " ms\\s+max\\s+" + NUMBER + " ms$"), 1, 2);
        positive(out, one(out, "^request, warm server:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms\\s+cold/warm p50 " + NUMBER + "x$"), 1, 2, 3);
        positive(out, one(out, "^direct to the server:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms$"), 1, 2);
        positive(out, one(out, "^through the local edge:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms\\s+edge/direct p50 " + NUMBER + "x$"), 1, 2, 3);
        one(out, "^added by the edge's proxy:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms");
        positive(out, one(out, "^rollback, static app:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms$"), 1, 2);
        positive(out, one(out, "^rollback, full-stack app:\\s+p50\\s+" + NUMBER + " ms\\s+p99\\s+" + NUMBER + " ms\\s+full-stack/static p99 " + NUMBER + "x"), 1, 2, 3);
    }

    @Test
    void databaseRunsAndPrintsItsFigures() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("pg_dump") && onPath("pg_restore"),
                "pg_dump and pg_restore (postgresql-client) are the baseline; not installed here");
        String out = run("database");
        positive(out, one(out, "^backup\\s+slipway\\s+" + NUMBER + " ms\\s+pg_dump -Fc\\s+" + NUMBER + " ms\\s+ratio " + NUMBER + "x$"), 1, 2, 3);
        positive(out, one(out, "^restore\\s+slipway\\s+" + NUMBER + " ms\\s+pg_restore\\s+" + NUMBER + " ms\\s+ratio " + NUMBER + "x$"), 1, 2, 3);
        positive(out, one(out, "^verify \\(restore into scratch \\+ counts and checksums\\)\\s+" + NUMBER + " ms$"), 1);
        positive(out, one(out, "^peak heap used: backup " + NUMBER + " MB, restore " + NUMBER + " MB, verify " + NUMBER + " MB \\(max heap "
                + NUMBER + " MB\\); peak RSS " + NUMBER + " MB$"), 1, 2, 3, 4, 5);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void cleanupRunsAndPrintsItsFigures() throws Exception {
        LocalSlipway.assumeNpmDependencies();
        String out = run("cleanup");
        // expired, live before, cleanup s, ms per preview, phase 1 s, phase 2 s, releases removed
        Matcher idle = one(out, "^none\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+-\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "$");
        assertEquals(30, number(idle, 1), out);
        nonNegative(out, idle, 2, 3, 4, 5);
        List<Matcher> runs = figures(out, Pattern.compile("(?m)^" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+"
                + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "$"), 2);
        for (int i = 0; i < 2; i++) {
            Matcher run = runs.get(i);
            double expired = List.of(2.0, 4.0).get(i);
            assertEquals(expired, number(run, 1), out);
            assertEquals(expired, number(run, 7), "one release removed per expired preview\n" + out);
            positive(out, run, 2, 3, 4);
            nonNegative(out, run, 5, 6);
        }
        positive(out, one(out, "^time\\(4\\)/time\\(2\\) = " + NUMBER + " \\(expired ratio " + NUMBER + "\\); per expired preview " + NUMBER
                + " ms vs " + NUMBER + " ms$"), 1, 2, 3, 4);
        positive(out, one(out, "^4 of " + NUMBER + " previews expired: cleanup " + NUMBER + " s"), 1, 2);
        positive(out, one(out, "^  all calls: " + NUMBER + " s$"), 1);
        assertTrue(out.contains("\"complete\":true"), "POST /cleanup ran until complete\n" + out);
        assertTrue(out.strip().endsWith("all checks passed"), out);
    }

    // ---- running a benchmark as ./slipway bench does

    /** The benchmark's main class, in its own JVM from the Slipway folder, as the script starts it; its output once it exited 0. */
    private String run(String benchmark) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djdk.httpclient.allowRestrictedHeaders=host", "-Dslipway.home=" + ROOT,
                "-Djava.io.tmpdir=" + temp, // what a benchmark leaves behind goes with the test's folder
                "-Duser.language=en", "-Duser.country=US", // figures printed with '.' decimals and ',' groups, as parsed here
                mainClass(benchmark)));
        command.addAll(TINY.get(benchmark));
        Path log = temp.resolve(benchmark + ".out");
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly); // Node processes of its runtime, npm
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            fail("./slipway bench " + benchmark + " " + String.join(" ", TINY.get(benchmark)) + " did not finish in 5 minutes:\n" + output(log));
        }
        String out = output(log);
        assertEquals(0, process.exitValue(), "./slipway bench " + benchmark + " " + String.join(" ", TINY.get(benchmark)) + ":\n" + out);
        return out;
    }

    /** The main class ./slipway bench {@code benchmark} starts, read from the script itself. */
    private static String mainClass(String benchmark) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*" + benchmark + "\\) main=([\\w.]+)").matcher(Files.readString(ROOT.resolve("slipway")));
        assertTrue(m.find(), "./slipway bench " + benchmark + " names no main class");
        try {
            Class.forName(m.group(1), false, BenchmarksSmokeTest.class.getClassLoader()).getMethod("main", String[].class);
        } catch (ReflectiveOperationException e) {
            fail("./slipway bench " + benchmark + " starts " + m.group(1) + ", which has no main: " + e);
        }
        return m.group(1);
    }

    private static String output(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8); // malformed bytes become U+FFFD, never an exception
    }

    // ---- reading the figures

    private static Set<String> names(String text, Pattern line) {
        Set<String> names = new TreeSet<>();
        for (Matcher m = line.matcher(text); m.find(); ) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<Matcher> figures(String out, Pattern line, int expected) {
        List<Matcher> lines = new ArrayList<>();
        for (Matcher m = line.matcher(out); m.find(); ) {
            lines.add(line.matcher(m.group()));
            lines.get(lines.size() - 1).matches();
        }
        assertEquals(expected, lines.size(), "lines like " + line + " in:\n" + out);
        return lines;
    }

    private static Matcher one(String out, String line) {
        return figures(out, Pattern.compile("(?m)" + line), 1).get(0);
    }

    private static double number(Matcher m, int group) {
        return Double.parseDouble(m.group(group).replace(",", ""));
    }

    private static void positive(String out, Matcher m, int... groups) {
        for (int g : groups) {
            double x = number(m, g);
            assertTrue(Double.isFinite(x) && x > 0, "figure " + g + " of \"" + m.group() + "\" is not a positive number\n" + out);
        }
    }

    /** A part rounded to whole milliseconds or hundredths of a second can print as 0. */
    private static void nonNegative(String out, Matcher m, int... groups) {
        for (int g : groups) {
            double x = number(m, g);
            assertTrue(Double.isFinite(x) && x >= 0, "figure " + g + " of \"" + m.group() + "\" is not a number >= 0\n" + out);
        }
    }
}
