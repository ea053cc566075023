package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.deploy.store.ContentIndex;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** {@link ContentIndex} in memory. */
final class InMemoryContentIndex implements ContentIndex {
    private final MemoryTable t;

    InMemoryContentIndex(MemoryTable table) {
        this.t = table;
    }

    @Override
    public Map<String, String> known(String appId, Collection<String> sha256s) {
        synchronized (t.lock) {
            Map<String, String> found = new HashMap<>();
            for (String sha : sha256s) {
                String doc = t.get(appId, MemoryTable.CONTENT + sha, String.class);
                if (doc != null) {
                    found.put(sha, doc);
                }
            }
            return found;
        }
    }

    @Override
    public void record(String appId, Map<String, String> shaToDoc) {
        synchronized (t.lock) {
            shaToDoc.forEach((sha, doc) -> t.put(appId, MemoryTable.CONTENT + sha, doc));
        }
    }

    @Override
    public boolean forget(String appId, String sha256, String doc) {
        synchronized (t.lock) {
            if (!doc.equals(t.get(appId, MemoryTable.CONTENT + sha256, String.class))) {
                return false;
            }
            t.remove(appId, MemoryTable.CONTENT + sha256);
            return true;
        }
    }
}
