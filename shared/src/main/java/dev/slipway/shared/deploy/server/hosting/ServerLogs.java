package dev.slipway.shared.deploy.server.hosting;

import java.time.Instant;
import java.util.List;

/**
 * A release's server log (CloudWatch Logs in AWS, a file per release locally), oldest first, with
 * the values of the app's variables already redacted.
 */
public interface ServerLogs {
    /**
     * Up to {@code limit} lines written at or after {@code since} (null: from the start).
     * {@link Page#next} is the {@code since} of the next page, or null when there is none yet.
     */
    Page read(String appId, String releaseId, Instant since, int limit);

    record Page(List<Line> lines, Instant next) {
        public Page {
            lines = List.copyOf(lines);
        }
    }

    record Line(Instant at, String text) {
    }
}
