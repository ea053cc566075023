package dev.slipway.local.bench;

import dev.slipway.local.LocalRuntime;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Git over HTTP against C git's own server, measured in the same run on the same history.
 * <p>
 * A repository of {@code files} source files (default 2,000, ~1 KB each) and {@code commits}
 * commits (default 50, each changing 1% of the files) is made with C git and pushed both to the
 * local runtime ({@code /git/{app}.git}, JGit over the DFS store on S3 and DynamoDB) and to a bare
 * repository served by {@code git http-backend} on the same machine, both behind HTTP Basic. Timed: {@code git clone} from
 * each, then {@code git fetch} of one new commit into an existing clone of each. Each figure is the
 * median of {@code rounds} runs after one warm-up.
 * <p>
 * Run: {@code ./slipway bench git [files] [commits] [rounds]}.
 */
public final class GitBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) {
        BenchApi.exitAfter(() -> measure(args));
    }

    static void measure(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int commits = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (files < 1 || commits < 1 || rounds < 1) {
            throw new IllegalArgumentException("files, commits and rounds: at least 1");
        }
        Path home = Path.of(System.getProperty("slipway.home", "."));
        Path work = Files.createTempDirectory("slipway-bench-git-");
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.builder(work.resolve("data"))
                .template(home.resolve("template.yaml")).build());
             GitHttpBackend backend = new GitHttpBackend(Files.createDirectories(work.resolve("served")), "bench-password")) {
            Path source = work.resolve("source");
            long bytes = history(source, files, commits, new Random(7));
            String app = "bench-git";
            BenchApi.expect(BenchApi.call(HTTP, runtime, "POST", "/apps", "{\"id\":\"" + app + "\",\"name\":\"bench git\"}", null), 201);
            String slipway = runtime.apiUrl().replace("http://", "http://git:" + runtime.adminToken() + "@") + "/git/" + app + ".git";
            git(work, "init", "-q", "--bare", "-b", "main", work.resolve("served/bench.git").toString()); // HEAD → main: both clones check out
            // Both ask for HTTP Basic, so both clients make the same 401 round trip first.
            String baseline = backend.url("bench").replace("http://", "http://git:bench-password@");
            git(source, "push", "-q", slipway, "main");
            git(source, "push", "-q", baseline, "main");
            System.out.printf("history: %,d files (%.1f MB of text), %d commits; %d rounds, median%n", files, bytes / 1e6, commits, rounds);

            // Warm-up: JIT, connection pools, the engines' first reads.
            git(work, "clone", "-q", slipway, work.resolve("warm-s").toString());
            git(work, "clone", "-q", baseline, work.resolve("warm-b").toString());

            List<Long> cloneS = new ArrayList<>(), cloneB = new ArrayList<>(), fetchS = new ArrayList<>(), fetchB = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Path s = work.resolve("s-" + r), b = work.resolve("b-" + r);
                cloneS.add(time(() -> git(work, "clone", "-q", slipway, s.toString())));
                cloneB.add(time(() -> git(work, "clone", "-q", baseline, b.toString())));
                // One new commit on both remotes (untimed), then each clone fetches it.
                change(source, files, new Random(100 + r), Math.max(1, files / 100), "round " + r);
                git(source, "push", "-q", slipway, "main");
                git(source, "push", "-q", baseline, "main");
                fetchS.add(time(() -> git(s, "fetch", "-q", "origin")));
                fetchB.add(time(() -> git(b, "fetch", "-q", "origin")));
                String expected = git(source, "rev-parse", "HEAD");
                if (!expected.equals(git(s, "rev-parse", "origin/main")) || !expected.equals(git(b, "rev-parse", "origin/main"))) {
                    throw new IllegalStateException("a fetch did not bring " + expected);
                }
            }
            report(String.format("clone (%,d files, %d commits)", files, commits), cloneS, cloneB);
            report("fetch of one new commit", fetchS, fetchB);
        } finally {
            try (Stream<Path> w = Files.walk(work)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void report(String what, List<Long> slipway, List<Long> git) {
        double s = ImportBenchmark.median(slipway) / 1e6, g = ImportBenchmark.median(git) / 1e6;
        System.out.printf("%-34s slipway %8.1f ms   git http-backend %8.1f ms   ratio %.2fx%n", what, s, g, s / g);
    }

    /** The source repository: {@code files} files, then {@code commits - 1} commits each changing 1% of them. */
    static long history(Path root, int files, int commits, Random random) throws Exception {
        Files.createDirectories(root);
        git(root.getParent(), "init", "-q", "-b", "main", root.toString());
        long total = 0;
        for (int i = 0; i < files; i++) {
            total += write(root, i, random, "");
        }
        git(root, "add", "-A");
        git(root, "commit", "-q", "-m", "Initial export");
        for (int c = 1; c < commits; c++) {
            change(root, files, random, Math.max(1, files / 100), "commit " + c);
        }
        return total;
    }

    static void change(Path root, int files, Random random, int n, String message) throws Exception {
        for (int k = 0; k < n; k++) {
            write(root, random.nextInt(files), random, message);
        }
        git(root, "add", "-A");
        git(root, "commit", "-q", "-m", message);
    }

    /** Source-like text of ~1 KB (the vocabulary of the import benchmark). */
    static long write(Path root, int i, Random random, String marker) throws IOException {
        String[] words = ("const let function return import export from default async await if else for while "
                + "props state useEffect useState className div span button onClick value items map filter").split(" ");
        Path f = root.resolve(i == 0 ? "package.json" : "src/module-" + (i / 50) + "/file-" + (i % 50) + ".ts");
        Files.createDirectories(f.getParent());
        StringBuilder sb = new StringBuilder(1_100);
        if (i == 0) {
            sb.append("{\"name\":\"bench\",\"private\":true,\"description\":\"").append(marker).append("\"}\n");
        } else {
            sb.append("// ").append(marker).append('\n');
            while (sb.length() < 1_000) {
                int n = 4 + random.nextInt(8);
                for (int w = 0; w < n; w++) {
                    sb.append(words[random.nextInt(words.length)]).append(w == n - 1 ? ";\n" : " ");
                }
                sb.append("  x").append(random.nextInt(100_000)).append(" = ").append(random.nextInt()).append(";\n");
            }
        }
        Files.writeString(f, sb);
        return sb.length();
    }

    static long time(ImportBenchmark.Step s) throws Exception {
        return ImportBenchmark.time(s);
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                "-c", "protocol.version=2"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + ": " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).trim();
    }
}
