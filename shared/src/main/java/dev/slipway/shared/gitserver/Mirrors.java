package dev.slipway.shared.gitserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.git.GitStore;
import dev.slipway.shared.git.S3DfsRepository;
import dev.slipway.shared.imports.GitUrlImport;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.json.JsonObjectReader;
import dev.slipway.shared.store.Transactions;
import dev.slipway.shared.store.WriteConflict;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An app's mirror: every branch pushed to a remote ({@code PUT /apps/{appId}/mirror {url, token}}),
 * by the git maintenance schedule, never in the path of an import, push or deploy. A run pushes the
 * branches (forced, deletions included) when they differ from what it last pushed; a failure is
 * retried with backoff (30 s, doubling, at most an hour). The token is kept as environment values
 * are (encrypted; SSM SecureString in AWS) but apart from them: no build ever sees it. Every
 * configuration, push and failure is audited.
 */
public final class Mirrors {
    private static final Logger LOG = LoggerFactory.getLogger(Mirrors.class);
    static final String ROW = "mirror";
    /** The index of apps with a mirror: partition {@code ~mirrors}, one row per app. */
    static final String INDEX = "~mirrors";
    static final String TOKEN = "MIRROR_TOKEN";
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    static final Duration MAX_RETRY = Duration.ofHours(1);
    static final Set<String> FIELDS = Set.of("url", "token");

    private final GitStore git;
    private final DynamoDbEnhancedClient client;
    private final DynamoDbTable<Item> table;
    private final AuditLedger ledger;
    private final MirrorTokens secrets;
    private final GitUrlImport urlCheck;
    private final Clock clock;

    /** @param urlCheck the import's git-URL rule (https, public hosts), or null to accept any http(s) URL (local runtime) */
    public Mirrors(GitStore git, DynamoDbEnhancedClient client, String gitTable, AuditLedger ledger, MirrorTokens secrets,
                   GitUrlImport urlCheck, Clock clock) {
        this.git = git;
        this.client = client;
        this.table = client.table(gitTable, TableSchema.fromBean(Item.class));
        this.ledger = ledger;
        this.secrets = secrets;
        this.urlCheck = urlCheck;
        this.clock = clock;
    }

    /** GET: the mirror's URL, last push and last error (never the token); 404 when none is set. */
    public ObjectNode view(String appId) {
        Item i = row(appId);
        if (i == null) {
            throw new DomainException(DomainError.MIRROR_NOT_FOUND, "App " + appId + " has no mirror; PUT one");
        }
        ObjectNode n = Json.object();
        n.put("url", i.getUrl());
        ObjectNode push = n.putObject("lastPush");
        push.put("at", i.getLastPushAt());
        push.set("branches", Json.MAPPER.valueToTree(i.getPushedRefs() == null ? Map.of() : i.getPushedRefs()));
        ObjectNode error = n.putObject("lastError");
        error.put("at", i.getLastErrorAt());
        error.put("message", i.getLastError());
        n.put("failures", i.getFailures() == null ? 0 : i.getFailures());
        n.put("nextAttemptAt", i.getNextAttemptAt());
        return n;
    }

    /** PUT {url, token?}: sets (or replaces) the mirror; the next run pushes every branch. */
    public ObjectNode configure(String appId, ObjectNode body, Actor actor) {
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        String url = in.string("url").orElse(null);
        String token = in.string("token").orElse(null);
        if (url == null) {
            in.error("url", "the remote's https URL, e.g. https://github.com/acme/shop.git");
        }
        if (token != null && (token.isEmpty() || token.length() > 1000 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            in.error("token", "a token of visible ASCII, up to 1,000 characters");
        }
        in.throwIfInvalid();
        checkUrl(url);
        Item current = row(appId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Item next = new Item();
        next.setRepo(appId);
        next.setName(ROW);
        next.setUrl(url);
        next.setFailures(0);
        next.setVersion(current == null ? 1L : current.getVersion() + 1);
        if (token != null) {
            secrets.put(appId, token);
        }
        ObjectNode before = Json.object();
        before.put("url", current == null ? null : current.getUrl());
        ObjectNode after = Json.object();
        after.put("url", url);
        after.put("tokenChanged", token != null);
        write(appId, current, next, AuditEvent.next(ledger.head(appId), appId, now, actor, "mirror.configured",
                "app/" + appId + "/mirror", before, after), true);
        return view(appId);
    }

    /** The schedule's run: every mirror that is due and behind is pushed; returns how many were pushed. */
    public int syncDue(Actor actor) {
        int pushed = 0;
        for (Item index : table.query(r -> r.queryConditional(QueryConditional.keyEqualTo(Key.builder().partitionValue(INDEX).build()))
                .consistentRead(true)).items()) {
            try {
                if (sync(index.getName(), actor)) {
                    pushed++;
                }
            } catch (RuntimeException e) {
                LOG.warn("mirror of {} not synced", index.getName(), e); // the next run tries again
            }
        }
        return pushed;
    }

    /** Pushes one app's branches when due and changed; whether a push happened. */
    public boolean sync(String appId, Actor actor) {
        Item current = row(appId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (current == null || (current.getNextAttemptAt() != null && Instant.parse(current.getNextAttemptAt()).isAfter(now))) {
            return false;
        }
        Map<String, String> branches = new TreeMap<>();
        try (S3DfsRepository repo = git.open(appId)) {
            for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                branches.put(r.getName(), r.getObjectId().name());
            }
            if (branches.equals(current.getPushedRefs() == null ? Map.of() : current.getPushedRefs()) && current.getLastError() == null) {
                return false;
            }
            String token = secrets.get(appId).orElse(null);
            push(repo, current.getUrl(), token);
        } catch (Exception e) {
            int failures = (current.getFailures() == null ? 0 : current.getFailures()) + 1;
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 16));
            wait = wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
            Item next = copy(current);
            next.setFailures(failures);
            next.setLastError(redact(e.getMessage(), current.getUrl()));
            next.setLastErrorAt(now.toString());
            next.setNextAttemptAt(now.plus(wait).toString());
            ObjectNode after = Json.object();
            after.put("url", current.getUrl());
            after.put("error", next.getLastError());
            after.put("failures", failures);
            after.put("nextAttemptAt", next.getNextAttemptAt());
            write(appId, current, next, AuditEvent.next(ledger.head(appId), appId, now, actor, "mirror.failed",
                    "app/" + appId + "/mirror", null, after), false);
            LOG.info("mirror of {} failed ({} in a row), next attempt {}: {}", appId, failures, next.getNextAttemptAt(), next.getLastError());
            return false;
        }
        Item next = copy(current);
        next.setPushedRefs(branches);
        next.setLastPushAt(now.toString());
        next.setFailures(0);
        next.setNextAttemptAt(null);
        next.setLastError(null);
        next.setLastErrorAt(null);
        ObjectNode before = Json.object();
        before.set("branches", Json.MAPPER.valueToTree(current.getPushedRefs() == null ? Map.of() : current.getPushedRefs()));
        ObjectNode after = Json.object();
        after.put("url", current.getUrl());
        after.set("branches", Json.MAPPER.valueToTree(branches));
        write(appId, current, next, AuditEvent.next(ledger.head(appId), appId, now, actor, "mirror.pushed",
                "app/" + appId + "/mirror", before, after), false);
        return true;
    }

    /** Makes the remote's branches this repository's: updates forced, branches we lack deleted. */
    private static void push(S3DfsRepository repo, String url, String token) throws Exception {
        try (Transport t = Transport.open(repo, new URIish(url))) {
            if (token != null) {
                t.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", token));
            }
            t.setTimeout(20);
            Map<String, Ref> remote;
            try (FetchConnection c = t.openFetch()) {
                remote = c.getRefsMap();
            }
            List<RemoteRefUpdate> updates = new ArrayList<>();
            Map<String, Ref> local = new TreeMap<>();
            repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS).forEach(r -> local.put(r.getName(), r));
            for (Ref r : local.values()) {
                Ref there = remote.get(r.getName());
                if (there == null || !r.getObjectId().equals(there.getObjectId())) {
                    updates.add(new RemoteRefUpdate(repo, r.getName(), r.getName(), true, null, null));
                }
            }
            for (String name : remote.keySet()) {
                if (name.startsWith(Constants.R_HEADS) && !local.containsKey(name)) {
                    updates.add(new RemoteRefUpdate(repo, (String) null, name, true, null, null));
                }
            }
            if (updates.isEmpty()) {
                return;
            }
            t.push(NullProgressMonitor.INSTANCE, updates);
            for (RemoteRefUpdate u : updates) {
                if (u.getStatus() != RemoteRefUpdate.Status.OK && u.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                    throw new IllegalStateException(u.getRemoteName() + ": " + u.getStatus()
                            + (u.getMessage() == null ? "" : " (" + u.getMessage() + ")"));
                }
            }
        }
    }

    private void checkUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw invalidUrl("is not a URL");
        }
        if (uri.getUserInfo() != null) {
            throw invalidUrl("must not hold credentials: send the token as \"token\"");
        }
        if (urlCheck != null) {
            urlCheck.check(url); // https, a public host, the allowed ports: the import's rule for git URLs
        } else if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw invalidUrl("must be an http(s) URL of a git repository");
        }
    }

    private static DomainException invalidUrl(String why) {
        return new DomainException(DomainError.VALIDATION_FAILED, "/url " + why, List.of(new FieldError("/url", why)));
    }

    /** An error for the trail and the API: without the URL's userinfo or anything token-like. */
    static String redact(String message, String url) {
        String m = message == null ? "failed" : message;
        m = m.replaceAll("://[^/@\\s]+@", "://");
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    private Item row(String appId) {
        return table.getItem(r -> r.key(Key.builder().partitionValue(appId).sortValue(ROW).build()).consistentRead(true));
    }

    /** The row's compare-and-set on its version, with its audit event (and the index row when configuring). */
    private void write(String appId, Item current, Item next, AuditEvent event, boolean index) {
        if (current != null && next.getVersion().equals(current.getVersion())) {
            next.setVersion(current.getVersion() + 1);
        }
        Expression condition = current == null
                ? Expression.builder().expression("attribute_not_exists(#n)").putExpressionName("#n", "name").build()
                : Expression.builder().expression("version = :v").putExpressionValue(":v", AttributeValue.fromN(Long.toString(current.getVersion()))).build();
        var tx = TransactWriteItemsEnhancedRequest.builder();
        List<WriteConflict.Part> parts = new ArrayList<>(ledger.appendTo(tx, event));
        tx.addPutItem(table, TransactPutItemEnhancedRequest.builder(Item.class).item(next).conditionExpression(condition).build());
        parts.add(WriteConflict.Part.ITEM);
        if (index) {
            Item i = new Item();
            i.setRepo(INDEX);
            i.setName(appId);
            tx.addPutItem(table, i);
            parts.add(WriteConflict.Part.ITEM);
        }
        try {
            Transactions.write(client, tx.build(), parts);
        } catch (WriteConflict e) {
            throw new DomainException(DomainError.CONCURRENT_MODIFICATION, "The mirror of " + appId + " changed meanwhile; retry");
        }
    }

    private static Item copy(Item c) {
        Item n = new Item();
        n.setRepo(c.getRepo());
        n.setName(c.getName());
        n.setUrl(c.getUrl());
        n.setPushedRefs(c.getPushedRefs());
        n.setLastPushAt(c.getLastPushAt());
        n.setLastError(c.getLastError());
        n.setLastErrorAt(c.getLastErrorAt());
        n.setFailures(c.getFailures());
        n.setNextAttemptAt(c.getNextAttemptAt());
        n.setVersion(c.getVersion() + 1);
        return n;
    }

    /** The mirror row (and, with only the keys, an index row). */
    @DynamoDbBean
    public static class Item {
        private String repo;
        private String name;
        private String url;
        private Map<String, String> pushedRefs;
        private String lastPushAt;
        private String lastError;
        private String lastErrorAt;
        private Integer failures;
        private String nextAttemptAt;
        private Long version;

        @DynamoDbPartitionKey
        public String getRepo() { return repo; }
        public void setRepo(String v) { repo = v; }
        @DynamoDbSortKey
        public String getName() { return name; }
        public void setName(String v) { name = v; }
        public String getUrl() { return url; }
        public void setUrl(String v) { url = v; }
        public Map<String, String> getPushedRefs() { return pushedRefs; }
        public void setPushedRefs(Map<String, String> v) { pushedRefs = v; }
        public String getLastPushAt() { return lastPushAt; }
        public void setLastPushAt(String v) { lastPushAt = v; }
        public String getLastError() { return lastError; }
        public void setLastError(String v) { lastError = v; }
        public String getLastErrorAt() { return lastErrorAt; }
        public void setLastErrorAt(String v) { lastErrorAt = v; }
        public Integer getFailures() { return failures; }
        public void setFailures(Integer v) { failures = v; }
        public String getNextAttemptAt() { return nextAttemptAt; }
        public void setNextAttemptAt(String v) { nextAttemptAt = v; }
        public Long getVersion() { return version; }
        public void setVersion(Long v) { version = v; }
    }
}
