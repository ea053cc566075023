package dev.slipway.shared.data.migrate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where an app's repository keeps its migrations, and which of its files they are: Supabase's
 * {@code supabase/migrations/*.sql}, Prisma's {@code prisma/migrations/<name>/migration.sql} and Drizzle's
 * {@code drizzle/*.sql} (or the {@code out} folder its {@code drizzle.config} names), each in name order (the tools
 * name them by timestamp or sequence). One kind per repository: the first found in that order; the others are
 * reported, not applied, so two tools never both change one schema.
 */
public final class MigrationFiles {
    /** A repository's migrations: which tool's, in order, and the kinds found but not applied. */
    public record Found(String kind, List<Migration> migrations, List<String> ignoredKinds) {
        public static final Found NONE = new Found(null, List.of(), List.of());

        public boolean isEmpty() {
            return migrations.isEmpty();
        }
    }

    public static final String SUPABASE_SEED = "supabase/seed.sql";
    private static final Pattern DRIZZLE_CONFIG = Pattern.compile("drizzle\\.config\\.(ts|js|mjs|cjs|mts|cts|json)");
    private static final Pattern DRIZZLE_OUT = Pattern.compile("[\"']?out[\"']?\\s*:\\s*[\"'`]([^\"'`]+)[\"'`]");
    private static final Pattern SAFE_FOLDER = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

    private MigrationFiles() {
    }

    /** The paths worth reading from a commit to find its migrations and seed: SQL files and a root drizzle config. */
    public static final Predicate<String> CANDIDATES = p -> p.endsWith(".sql") || DRIZZLE_CONFIG.matcher(p).matches();

    /** The migrations among {@code files} (path → bytes, as {@link #CANDIDATES} selects them). */
    public static Found find(Map<String, byte[]> files) {
        List<Migration> supabase = direct(files, "supabase/migrations/");
        List<Migration> prisma = new ArrayList<>();
        files.forEach((path, bytes) -> {
            String[] parts = path.split("/");
            if (parts.length == 4 && path.startsWith("prisma/migrations/") && parts[3].equals("migration.sql")) {
                prisma.add(Migration.of(parts[2], path, bytes));
            }
        });
        prisma.sort(Comparator.comparing(Migration::name));
        List<Migration> drizzle = direct(files, drizzleFolder(files) + "/");
        List<Found> found = Stream.of(new Found("supabase", supabase, List.of()), new Found("prisma", prisma, List.of()),
                new Found("drizzle", drizzle, List.of())).filter(f -> !f.isEmpty()).toList();
        if (found.isEmpty()) {
            return Found.NONE;
        }
        Found first = found.get(0);
        return new Found(first.kind(), first.migrations(), found.subList(1, found.size()).stream().map(Found::kind).toList());
    }

    /** The seed a preview database gets after its migrations ({@value #SUPABASE_SEED}), if the commit has one. */
    public static Optional<Migration> seed(Map<String, byte[]> files) {
        return Optional.ofNullable(files.get(SUPABASE_SEED)).map(b -> Migration.of("seed.sql", SUPABASE_SEED, b));
    }

    /** Drizzle's migrations folder: the {@code out} its config names (relative, no ..), else {@code drizzle}. */
    static String drizzleFolder(Map<String, byte[]> files) {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (DRIZZLE_CONFIG.matcher(e.getKey()).matches()) {
                Matcher m = DRIZZLE_OUT.matcher(new String(e.getValue(), StandardCharsets.UTF_8));
                if (m.find()) {
                    String out = m.group(1).replaceFirst("^\\./", "").replaceAll("/+$", "");
                    if (SAFE_FOLDER.matcher(out).matches() && !out.contains("..") && !out.startsWith("/")) {
                        return out;
                    }
                }
            }
        }
        return "drizzle";
    }

    /** The {@code .sql} files directly in {@code folder}, by file name. */
    private static List<Migration> direct(Map<String, byte[]> files, String folder) {
        List<Migration> out = new ArrayList<>();
        files.forEach((path, bytes) -> {
            if (path.startsWith(folder) && path.endsWith(".sql") && path.indexOf('/', folder.length()) < 0) {
                out.add(Migration.of(path.substring(folder.length()), path, bytes));
            }
        });
        out.sort(Comparator.comparing(Migration::name));
        return out;
    }
}
