package dev.slipway.shared.deploy.build;

import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.server.ServerOutput;
import dev.slipway.shared.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A build's server, as {@code server-package.cjs} (the one script the local runner and the CodeBuild
 * buildspec both run) left it in {@link #OUT}: zipped into the site's output as {@link ServerOutput}
 * describes, with the Node major the build ran on.
 */
public final class ServerPackaging {
    /** The script, a resource beside this class; template.yaml's buildspec inlines the same text. */
    public static final String SCRIPT = "server-package.cjs";
    /** What the script writes in the app's folder: server.json, static/, bundle/. */
    public static final String OUT = ".slipway-server";

    private ServerPackaging() {
    }

    public static String script() {
        try (InputStream in = ServerPackaging.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shell command running the script in {@code mode} with the output dir, the script at {@code scriptPath}. */
    static String command(String scriptPath, String mode, String outputDir) {
        return "node " + quote(scriptPath) + " " + mode + (outputDir == null ? "" : " " + quote(outputDir));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The packaged server, when the script found one: the static folder to serve, its bundle zipped inside it. */
    record Packaged(Path relativeStaticDir, String framework, String entry, long unzippedBytes) {
    }

    /**
     * Null for a static app; else zips {@code .slipway-server/bundle} into the static folder with its descriptor.
     * A bundle over {@link ServerBundle#MAX_UNZIPPED_BYTES} throws {@link ServerOutput.TooLarge} with the sizes.
     */
    static Packaged finish(Path source, int nodeMajor) throws IOException {
        Path out = source.resolve(OUT);
        Path descriptor = out.resolve("server.json");
        if (!Files.isRegularFile(descriptor, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        var doc = Json.parse(Files.readString(descriptor));
        ServerOutput.Descriptor d = ServerOutput.Descriptor.parse(Json.write(Json.object()
                .put("framework", doc.path("framework").asText()).put("entry", doc.path("entry").asText())
                .put("nodeMajor", nodeMajor)).getBytes(StandardCharsets.UTF_8));
        Path bundle = out.resolve("bundle");
        if (!Files.isRegularFile(bundle.resolve(d.entry()), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the server bundle has no " + d.entry() + " to run");
        }
        Path staticDir = out.resolve("static");
        Path slipway = staticDir.resolve(ServerOutput.DIR);
        if (Files.exists(slipway, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the site's files hold " + ServerOutput.DIR + ", which Slipway keeps for the server");
        }
        Files.createDirectories(slipway);
        long bytes = ServerOutput.zip(bundle, staticDir.resolve(ServerOutput.ZIP), ServerBundle.MAX_UNZIPPED_BYTES);
        Files.writeString(staticDir.resolve(ServerOutput.DESCRIPTOR), d.json());
        FileTrees.delete(bundle); // zipped: the copy goes before the output is read
        return new Packaged(source.relativize(staticDir), d.framework(), d.entry(), bytes);
    }
}
