package dev.slipway.shared.deploy.store.memory;

import dev.slipway.shared.ids.Ulid;
import dev.slipway.shared.store.Cursors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Pages of one app's items under a prefix, newest first, with the cursors the DynamoDB stores use (the last id seen). */
final class MemoryPages {
    private MemoryPages() {
    }

    record Page<T>(List<T> items, String next) {
    }

    static <T> Page<T> newestFirst(MemoryTable t, String appId, String prefix, int limit, String cursor, Class<T> type) {
        String before = null;
        if (cursor != null) {
            String id = Cursors.decode(cursor);
            if (!Ulid.isValid(id.toUpperCase())) {
                throw Cursors.invalid();
            }
            before = prefix + id;
        }
        List<T> items = new ArrayList<>();
        String lastKey = null;
        boolean more = false;
        for (Map.Entry<String, Object> e : t.prefix(appId, prefix).descendingMap().entrySet()) {
            if (before != null && e.getKey().compareTo(before) >= 0) {
                continue;
            }
            if (items.size() >= limit) {
                more = true;
                break;
            }
            items.add(type.cast(e.getValue()));
            lastKey = e.getKey();
        }
        return new Page<>(items, more ? Cursors.encode(lastKey.substring(prefix.length())) : null);
    }
}
