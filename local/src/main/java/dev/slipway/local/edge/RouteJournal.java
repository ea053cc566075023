package dev.slipway.local.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.SiteAddress;
import dev.slipway.shared.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's key-value map (host label → {@link RouteEntry}), in memory and persisted so a
 * restart keeps it: the routes file ({@code edge-routes.json}, {@code {"routes":{…}}}) plus a
 * journal beside it ({@code edge-routes.json.log}, one JSON line per change). Loading replays the
 * journal over the file, skipping an unreadable (torn) line; once the journal is longer than
 * {@value #COMPACT_AFTER} lines and the number of routes, the file is rewritten atomically and the
 * journal removed. Without a routes file (null) the map lives in memory only.
 */
final class RouteJournal {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEdge.class);
    /** Journal lines before the routes file is rewritten (at least as many as there are routes). */
    private static final int COMPACT_AFTER = 1000;

    private final Path routesFile;
    private final Map<String, RouteEntry> routes = new ConcurrentHashMap<>();
    private final Object persistLock = new Object();
    private int journalLines;

    /** The routes the file and its journal hold (none when {@code routesFile} is null or absent). */
    RouteJournal(Path routesFile) throws IOException {
        this.routesFile = routesFile;
        load();
    }

    /** The entry of a host label, or null. */
    RouteEntry get(String label) {
        return routes.get(label);
    }

    /** The current routes, sorted (a copy). */
    Map<String, RouteEntry> snapshot() {
        return new TreeMap<>(routes);
    }

    /**
     * Sets or (entry null) removes a route and persists it; returns the previous value. A change is
     * one line appended to a journal beside the routes file (rewriting 10,000 routes per change made a
     * cleanup of 1,000 previews write 600 MB); the routes file is rewritten once the journal is long.
     */
    RouteEntry update(String label, RouteEntry entry) {
        synchronized (persistLock) {
            RouteEntry previous = entry == null ? routes.remove(label) : routes.put(label, entry);
            if (routesFile != null) {
                ObjectNode line = Json.object();
                if (entry == null) {
                    line.putNull(label);
                } else {
                    line.put(label, entry.encode());
                }
                try {
                    Files.createDirectories(routesFile.toAbsolutePath().getParent());
                    Files.writeString(journal(), Json.write(line) + "\n", StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not save routes to " + journal(), e);
                }
                if (++journalLines > Math.max(COMPACT_AFTER, routes.size())) {
                    persist();
                }
            }
            return previous;
        }
    }

    private Path journal() {
        return routesFile.resolveSibling(routesFile.getFileName() + ".log");
    }

    /** Replays the journal over the routes file's routes (a change is one line; a torn last line is skipped). */
    private void replayJournal() throws IOException {
        if (!Files.isRegularFile(journal())) {
            return;
        }
        for (String line : Files.readAllLines(journal(), StandardCharsets.UTF_8)) {
            JsonNode change;
            try {
                change = Json.parse(line);
            } catch (RuntimeException torn) {
                LOG.warn("{}: skipping an unreadable line", journal());
                continue;
            }
            journalLines++;
            change.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    routes.remove(e.getKey());
                } else {
                    RouteEntry.decode(e.getValue().asText(null)).filter(x -> SiteAddress.isRouterKey(e.getKey()))
                            .ifPresent(x -> routes.put(e.getKey(), x));
                }
            });
        }
    }

    private void load() throws IOException {
        if (routesFile == null) {
            return;
        }
        if (!Files.isRegularFile(routesFile)) {
            replayJournal();
            return;
        }
        JsonNode doc = Json.parse(Files.readString(routesFile));
        JsonNode all = doc.get("routes");
        if (all == null || !all.isObject()) {
            throw new IOException(routesFile + " has no \"routes\" object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // Values are RouteEntry.encode(): a bare release id (all files before tokens) still decodes.
            Optional<RouteEntry> entry = RouteEntry.decode(e.getValue().asText(null));
            if (SiteAddress.isRouterKey(e.getKey()) && entry.isPresent()) {
                routes.put(e.getKey(), entry.get());
            } else {
                LOG.warn("{}: ignoring route {} -> {}", routesFile, e.getKey(), e.getValue());
            }
        }
        replayJournal();
    }

    private void persist() {
        if (routesFile == null) {
            return;
        }
        ObjectNode all = Json.object();
        snapshot().forEach((k, v) -> all.put(k, v.encode()));
        try {
            Files.createDirectories(routesFile.toAbsolutePath().getParent());
            Path tmp = routesFile.resolveSibling(routesFile.getFileName() + ".tmp");
            Files.writeString(tmp, Json.write(Json.object().set("routes", all)) + "\n");
            Files.move(tmp, routesFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // Every journal line is in the file now; a crash before this delete replays them again, to the same routes.
            Files.deleteIfExists(journal());
            journalLines = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save routes to " + routesFile, e);
        }
    }
}
