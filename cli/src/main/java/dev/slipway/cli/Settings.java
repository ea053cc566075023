package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the CLI finds the API, the token and the app. The API and its token always come from the same place, so a
 * token is never sent to another server than the one it was kept for:
 * <ol>
 * <li>{@code --api} / {@code SLIPWAY_API} (with {@code SLIPWAY_TOKEN}, or the kept token of that same URL);</li>
 * <li>the user's config, written by {@code slipway login}: {@code $XDG_CONFIG_HOME/slipway/config.json}
 * (default {@code ~/.config/slipway/config.json}), mode 0600 in a 0700 folder;</li>
 * <li>a running {@code slipway up}: its {@code runtime.json} ({@code $SLIPWAY_DATA}, {@code .slipway/} here or in a
 * parent folder, or the Slipway checkout's), which holds the local admin token.</li>
 * </ol>
 * The app: {@code --app}, {@code SLIPWAY_APP}, a {@code .slipway-app} file here or in a parent folder, the config's
 * {@code app}.
 */
public final class Settings {
    public static final String APP_FILE = dev.slipway.cli.folder.FolderArchive.LINK_FILE;
    private static final Pattern APP_ID = Pattern.compile("[a-z][a-z0-9-]{1,39}");

    /** Where the API is, the token for it (null: none) and where that came from (said in messages). */
    public record Connection(String apiUrl, String token, String source) {
    }

    private final Terminal io;

    public Settings(Terminal io) {
        this.io = io;
    }

    public Path configFile() {
        String xdg = io.env("XDG_CONFIG_HOME");
        Path base = xdg != null ? Path.of(xdg) : Path.of(io.env("HOME") != null ? io.env("HOME") : System.getProperty("user.home"), ".config");
        return base.resolve("slipway").resolve("config.json");
    }

    public ObjectNode config() {
        Path f = configFile();
        if (!Files.isRegularFile(f)) {
            return ApiClient.object();
        }
        try {
            JsonNode n = ApiClient.JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            return n instanceof ObjectNode o ? o : ApiClient.object();
        } catch (IOException e) {
            throw new CliFailure(ExitCode.FAILED, "cannot read " + f + " (" + e.getMessage() + "); fix or remove it");
        }
    }

    /** Writes the config: the folder 0700, the file 0600 from its first byte (a temp file moved into place). */
    public void saveConfig(ObjectNode config) {
        Path f = configFile();
        try {
            Path dir = f.getParent();
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            Path tmp = dir.resolve(".config.json." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.write(tmp, ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            try {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            restrict(f, "rw-------");
        } catch (IOException e) {
            throw new CliFailure(ExitCode.FAILED, "cannot write " + f + " (" + e.getMessage() + ")");
        }
    }

    private static void restrict(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user's profile folder is private already
        }
    }

    /** The runtime.json of a `slipway up` near here, if one is running (or left its file). */
    public Optional<JsonNode> runtime() {
        List<Path> candidates = new ArrayList<>();
        if (io.env("SLIPWAY_DATA") != null) {
            candidates.add(io.cwd().resolve(io.env("SLIPWAY_DATA")).resolve("runtime.json"));
        }
        for (Path d = io.cwd(); d != null; d = d.getParent()) {
            candidates.add(d.resolve(".slipway/runtime.json"));
        }
        String home = System.getProperty("slipway.home");
        if (home != null) {
            candidates.add(Path.of(home).resolve(".slipway/runtime.json"));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                try {
                    return Optional.of(ApiClient.JSON.readTree(Files.readString(c, StandardCharsets.UTF_8)));
                } catch (IOException unreadable) {
                    // being rewritten or gone: try the next
                }
            }
        }
        return Optional.empty();
    }

    /** The API to call and its token; {@code apiFlag} is {@code --api} (null: not given). */
    public Connection connection(String apiFlag) {
        String envToken = io.env("SLIPWAY_TOKEN");
        String explicit = apiFlag != null ? apiFlag : io.env("SLIPWAY_API");
        ObjectNode config = config();
        Optional<JsonNode> runtime = runtime();
        if (explicit != null) {
            String api = trim(explicit);
            String token = envToken;
            if (token == null && api.equals(trim(config.path("apiUrl").asText("")))) {
                token = text(config, "token");
            }
            if (token == null && runtime.isPresent() && api.equals(trim(runtime.get().path("apiUrl").asText("")))) {
                token = text(runtime.get(), "adminToken");
            }
            return new Connection(api, token, apiFlag != null ? "--api" : "SLIPWAY_API");
        }
        if (config.hasNonNull("apiUrl") && (envToken != null || text(config, "token") != null)) {
            return new Connection(trim(config.get("apiUrl").asText()), envToken != null ? envToken : text(config, "token"), configFile().toString());
        }
        if (runtime.isPresent() && runtime.get().hasNonNull("apiUrl")) {
            return new Connection(trim(runtime.get().get("apiUrl").asText()),
                    envToken != null ? envToken : text(runtime.get(), "adminToken"), "runtime.json of slipway up");
        }
        if (config.hasNonNull("apiUrl")) { // signed out: the URL is kept for the next login
            return new Connection(trim(config.get("apiUrl").asText()), null, configFile().toString());
        }
        throw new CliFailure(ExitCode.AUTH, "not signed in: run `slipway login`, set SLIPWAY_API and SLIPWAY_TOKEN,"
                + " or run next to `slipway up`");
    }

    /** The app a command works on; {@code appFlag} is {@code --app} (null: not given). */
    public String app(String appFlag) {
        String app = appFlag != null ? appFlag : io.env("SLIPWAY_APP");
        String from = appFlag != null ? "--app" : "SLIPWAY_APP";
        if (app == null) {
            Optional<Path> file = appFile();
            if (file.isPresent()) {
                try {
                    app = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
                    from = file.get().toString();
                } catch (IOException e) {
                    throw new CliFailure(ExitCode.FAILED, "cannot read " + file.get() + " (" + e.getMessage() + ")");
                }
            }
        }
        if (app == null && config().hasNonNull("app")) {
            app = config().get("app").asText();
            from = configFile().toString();
        }
        if (app == null) {
            throw CliFailure.usage("no app chosen: pass --app APP, or run `slipway apps link APP` in the app's folder");
        }
        if (!APP_ID.matcher(app).matches()) {
            throw CliFailure.usage("'" + app + "' (from " + from + ") is not an app id ([a-z][a-z0-9-]{1,39})");
        }
        return app;
    }

    /** The nearest {@code .slipway-app}: here or in a parent folder. */
    public Optional<Path> appFile() {
        for (Path d = io.cwd(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(APP_FILE))) {
                return Optional.of(d.resolve(APP_FILE));
            }
        }
        return Optional.empty();
    }

    private static String text(JsonNode n, String field) {
        String v = n.path(field).asText("");
        return v.isBlank() ? null : v;
    }

    static String trim(String url) {
        return url.strip().replaceAll("/+$", "");
    }
}
