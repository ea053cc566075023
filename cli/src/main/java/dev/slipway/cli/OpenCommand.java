package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The site's URL, printed, and opened in the browser when a person runs it and the system has an opener. */
@Command(name = "open", mixinStandardHelpOptions = true,
        description = "Print the site's URL (production, or --preview NAME) and open it in the browser when there is one.")
final class OpenCommand extends AppCommand {
    @Option(names = "--preview", paramLabel = "NAME", description = "The preview's URL instead of production's")
    String preview;

    @Override
    protected int run() {
        ApiClient api = api();
        String app = app();
        String url;
        if (preview != null) {
            url = api.get("/apps/" + app + "/previews/" + seg(preview)).path("url").asText(null);
        } else {
            JsonNode production = api.get("/apps/" + app).path("production");
            if (!production.isObject()) {
                throw new CliFailure(ExitCode.NOT_FOUND, app + " has no production release yet: slipway deploy");
            }
            url = production.path("url").asText(null);
        }
        if (url == null) {
            throw new CliFailure(ExitCode.NOT_FOUND, "no URL: this Slipway serves no sites (no edge domain configured)");
        }
        if (json) {
            print(ApiClient.object().put("url", url));
            return ExitCode.OK;
        }
        say(url);
        if (io.interactive()) {
            opener().ifPresent(cmd -> {
                try {
                    new ProcessBuilder(append(cmd, url)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                } catch (IOException e) {
                    note("(could not start " + cmd.get(0) + ": " + e.getMessage() + ")");
                }
            });
        }
        return ExitCode.OK;
    }

    /** The system's way of opening a URL, when it has one (none on a server without a desktop). */
    private java.util.Optional<List<String>> opener() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            return java.util.Optional.of(List.of("open"));
        }
        if (os.contains("win")) {
            return java.util.Optional.of(List.of("rundll32", "url.dll,FileProtocolHandler"));
        }
        String path = io.env("PATH");
        boolean desktop = io.env("DISPLAY") != null || io.env("WAYLAND_DISPLAY") != null;
        if (path != null && desktop) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, "xdg-open"))) {
                    return java.util.Optional.of(List.of(Path.of(dir, "xdg-open").toString()));
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static List<String> append(List<String> cmd, String arg) {
        List<String> all = new java.util.ArrayList<>(cmd);
        all.add(arg);
        return all;
    }
}
