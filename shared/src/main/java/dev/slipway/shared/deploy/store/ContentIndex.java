package dev.slipway.shared.deploy.store;

import java.util.Collection;
import java.util.Map;

/** Where an app already stores the bytes of a sha256 ({@code content#<sha256>}): direct uploads copy instead of uploading. */
public interface ContentIndex {
    /** Which of these sha256s the app already stores, and the entry (its stored document). */
    Map<String, String> known(String appId, Collection<String> sha256s);

    /** Remembers where content is stored (idempotent). */
    void record(String appId, Map<String, String> shaToDoc);

    /** Forgets an entry if it is still {@code doc} (a re-pointed entry stays). */
    boolean forget(String appId, String sha256, String doc);
}
