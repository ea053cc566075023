package dev.slipway.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.apps.App;
import dev.slipway.shared.apps.AppPatch;
import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.apps.NewApp;
import dev.slipway.shared.audit.Actor;
import dev.slipway.shared.audit.AuditEvent;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.audit.ChainVerification;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.json.Json;
import dev.slipway.shared.store.WriteConflict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The apps store and its audit chain against real DynamoDB Local, tables from template.yaml. */
class AppStoreTest {
    private static EmbeddedEngines engines;
    private static DynamoDbAppStore store;
    private static AuditLedger ledger;
    private static AppService service;
    private static final Actor ACTOR = new Actor(Actor.ADMIN, "req-1", "127.0.0.1");

    @BeforeAll
    static void start() throws Exception {
        engines = EmbeddedEngines.get();
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(engines.dynamoClient).build();
        ledger = new AuditLedger(enhanced, engines.tableName("AuditTable"));
        store = new DynamoDbAppStore(enhanced, engines.tableName("AppsTable"), ledger);
        service = new AppService(store, Clock.systemUTC());
    }

    private static String uniqueName() {
        StringBuilder b = new StringBuilder("Shop ");
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 12; i++) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    private static NewApp newApp(String json) {
        return NewApp.fromJson((ObjectNode) Json.parse(json));
    }

    private static AppPatch patch(String json) {
        return AppPatch.fromJson((ObjectNode) Json.parse(json));
    }

    @Test
    void createThenReadBackWithItsAuditEvent() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\",\"build\":{\"outputDir\":\"dist\"}}"), ACTOR);
        assertEquals(app, service.get(app.id()));
        List<AuditEvent> events = ledger.events(app.id(), 1, 10);
        assertEquals(1, events.size());
        assertEquals("app.created", events.get(0).action());
        assertEquals(AuditEvent.GENESIS, events.get(0).prevHash());
        assertTrue(ledger.verify(app.id()).valid());
    }

    @Test
    void aTakenIdIsAConflictAndWritesNoSecondEvent() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR);
        DomainException p = assertThrows(DomainException.class,
                () -> service.create(newApp("{\"name\":\"other\",\"id\":\"" + app.id() + "\"}"), ACTOR));
        assertEquals(DomainError.APP_EXISTS, p.error());
        assertFalse("other".equals(service.get(app.id()).name()));
        assertEquals(1, ledger.events(app.id(), 1, 10).size());
        assertTrue(ledger.verify(app.id()).valid());
    }

    @Test
    void aStaleVersionWritesNeitherTheChangeNorItsEvent() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR);
        App changed = app.withChanges("Renamed", app.build(), Instant.now());
        AuditEvent event = AuditEvent.next(ledger.head(app.id()), app.id(), changed.updatedAt(), ACTOR, "app.updated",
                "app/" + app.id(), null, Json.object());
        WriteConflict c = assertThrows(WriteConflict.class, () -> store.replace(changed, app.version() + 5, event));
        assertEquals(WriteConflict.Part.ITEM, c.part());
        assertEquals(app, service.get(app.id()));
        assertEquals(1, ledger.events(app.id(), 1, 10).size(), "the event must roll back with the change");
        assertTrue(ledger.verify(app.id()).valid());
    }

    @Test
    void concurrentPatchesAreAllAppliedInOneLinearChain() throws Exception {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR);
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<App>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String cmd = "npm run build:" + i;
            results.add(pool.submit(() -> service.update(app.id(), patch("{\"build\":{\"buildCommand\":\"" + cmd + "\"}}"), ACTOR)));
        }
        List<Long> versions = new ArrayList<>();
        for (Future<App> f : results) {
            versions.add(f.get().version());
        }
        pool.shutdown();
        // Each writer won exactly one distinct version: nothing was lost, nothing applied twice.
        assertEquals(writers, versions.stream().distinct().count());
        assertEquals(1 + writers, service.get(app.id()).version());
        ChainVerification v = ledger.verify(app.id());
        assertTrue(v.valid(), () -> "chain broken: " + v);
        assertEquals(1 + writers, v.events());
    }

    @Test
    void aPatchThatChangesNothingWritesNothing() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\",\"build\":{\"nodeVersion\":\"20\"}}"), ACTOR);
        App same = service.update(app.id(), patch("{\"name\":\"" + app.name() + "\",\"build\":{\"nodeVersion\":\"20\"}}"), ACTOR);
        assertEquals(app.version(), same.version());
        assertEquals(1, ledger.events(app.id(), 1, 10).size());
    }

    @Test
    void tamperingWithAStoredEventIsFoundAtItsSeq() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR);
        service.update(app.id(), patch("{\"name\":\"Second\"}"), ACTOR);
        service.update(app.id(), patch("{\"name\":\"Third\"}"), ACTOR);
        assertTrue(ledger.verify(app.id()).valid());

        engines.dynamoClient.updateItem(r -> r.tableName(engines.tableName("AuditTable"))
                .key(Map.of("appId", AttributeValue.fromS(app.id()), "seq", AttributeValue.fromN("2")))
                .updateExpression("SET actor = :a")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("someone-else"))));

        ChainVerification v = ledger.verify(app.id());
        assertFalse(v.valid());
        assertEquals(2L, v.brokenAtSeq());
    }

    @Test
    void deletingTheLastEventIsFound() {
        App app = service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR);
        service.update(app.id(), patch("{\"name\":\"Second\"}"), ACTOR);
        engines.dynamoClient.deleteItem(r -> r.tableName(engines.tableName("AuditTable"))
                .key(Map.of("appId", AttributeValue.fromS(app.id()), "seq", AttributeValue.fromN("2"))));
        ChainVerification v = ledger.verify(app.id());
        assertFalse(v.valid());
        assertEquals(2L, v.brokenAtSeq());
    }

    @Test
    void listingPagesThroughEveryApp() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(service.create(newApp("{\"name\":\"" + uniqueName() + "\"}"), ACTOR).id());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = service.list("2", cursor);
            page.apps().forEach(a -> seen.add(a.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 1000);
        assertTrue(seen.containsAll(created));
        assertEquals(seen.size(), seen.stream().distinct().count(), "no app appears twice across pages");
    }
}
