package dev.slipway.shared.deploy.cleanup;

import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.deploy.preview.ExpiredPreviews;
import dev.slipway.shared.deploy.preview.PreviewExpiry;
import dev.slipway.shared.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The scheduled cleanup (hourly, and {@code POST /cleanup}): phase 1 expires the previews due by now
 * ({@link PreviewExpiry}: their releases become sweep candidates due now), phase 2 sweeps release
 * candidates ({@link ReleaseSweeper}). Both work in batches within {@code budget} and are safe to run
 * again: what one run leaves, the next one does. The result is logged as one JSON line.
 */
public final class CleanupService {
    private static final Logger LOG = LoggerFactory.getLogger(CleanupService.class);
    /** Previews expired per batch of phase 1 (between batches the time budget is checked). */
    static final int PREVIEW_BATCH = 100;
    /** The actor of scheduled runs in audit events: the one expired previews name too. */
    public static final String ACTOR = ExpiredPreviews.CLEANUP_ACTOR;

    private final PreviewExpiry previews;
    private final ReleaseSweeper sweeper;

    public CleanupService(PreviewExpiry previews, ReleaseSweeper sweeper) {
        this.previews = previews;
        this.sweeper = sweeper;
    }

    /**
     * @param complete false when the budget ran out first ({@code candidatesLeft}: the run stopped with
     *                 candidates still due; the next run continues)
     */
    public record Result(int previewsExpired, int releasesExamined, int releasesRemoved, Map<ReleaseSweeper.Kept, Integer> releasesKept,
                         long filesRemoved, long bytesRemoved, int errors, boolean complete, long tookMs) {
        public boolean candidatesLeft() {
            return !complete;
        }
    }

    /** A scheduled run with the default budget (the local timer and tests). */
    public Result run(Instant now) {
        return run(now, Duration.ofMinutes(10), new Actor(ACTOR, null, null));
    }

    /** Runs both phases for what is due by {@code now}, stopping before {@code budget} is spent. */
    public Result run(Instant now, Duration budget, Actor actor) {
        long started = System.nanoTime();
        long deadline = started + budget.toNanos();
        BooleanSupplier outOfTime = () -> System.nanoTime() >= deadline;
        int expired = 0;
        boolean previewsDone = false;
        while (!outOfTime.getAsBoolean()) {
            int n = previews.expireDue(now, PREVIEW_BATCH);
            expired += n;
            if (n < PREVIEW_BATCH) {
                previewsDone = true;
                break;
            }
        }
        // Phase 1 made its releases candidates due at its own clock's time (after now): the sweep looks
        // at what is due by then, so an expired preview's files go in the same run, not the next one.
        Instant sweepAt = later(now, sweeper.now());
        ReleaseSweeper.Result swept = previewsDone ? sweeper.sweep(sweepAt, outOfTime, actor)
                : new ReleaseSweeper.Result(0, 0, Map.of(), 0, 0, 0, false);
        Result r = new Result(expired, swept.examined(), swept.removed(), swept.kept(), swept.files(), swept.bytes(), swept.errors(),
                previewsDone && swept.complete(), (System.nanoTime() - started) / 1_000_000);
        if (LOG.isInfoEnabled()) {
            LOG.info("{}", logLine(r, now));
        }
        return r;
    }

    /** The run's counts as one JSON log line. */
    private static String logLine(Result r, Instant now) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("previewsExpired", r.previewsExpired());
        line.put("releasesExamined", r.releasesExamined());
        line.put("releasesRemoved", r.releasesRemoved());
        Map<String, Integer> kept = new LinkedHashMap<>();
        r.releasesKept().forEach((k, v) -> kept.put(k.name().toLowerCase(Locale.ROOT), v));
        line.put("releasesKept", kept);
        line.put("filesRemoved", r.filesRemoved());
        line.put("bytesRemoved", r.bytesRemoved());
        line.put("errors", r.errors());
        line.put("complete", r.complete());
        line.put("candidatesLeft", r.candidatesLeft());
        line.put("tookMs", r.tookMs());
        line.put("event", "cleanup");
        line.put("now", now.toString());
        return Json.write(line);
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }
}
