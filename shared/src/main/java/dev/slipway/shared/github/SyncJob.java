package dev.slipway.shared.github;

import java.util.LinkedHashMap;
import java.util.Map;

/** One verified push, queued for the sync worker: which branch moved to which commit (or was deleted), and where it deploys. */
public record SyncJob(String appId, String deliveryId, String branch, String after, boolean deleted, String target) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appId", appId);
        m.put("deliveryId", deliveryId);
        m.put("branch", branch);
        m.put("after", after);
        m.put("deleted", deleted);
        m.put("target", target);
        return m;
    }

    public static SyncJob fromMap(Map<String, Object> m) {
        return new SyncJob((String) m.get("appId"), (String) m.get("deliveryId"), (String) m.get("branch"), (String) m.get("after"),
                Boolean.TRUE.equals(m.get("deleted")), (String) m.get("target"));
    }

    /** Where the queue runs jobs: an asynchronous Lambda invocation (the webhook answers before the work). */
    @FunctionalInterface
    public interface Queue {
        void enqueue(SyncJob job);
    }
}
