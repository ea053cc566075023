package dev.slipway.shared.data.postgres;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.errors.DomainException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stack's database: where it is known from, what a provision makes, and the one private host the link rules admit. */
class StackDatabaseTest {

    @Test
    void knownFromTheLocalUrlOrTheClustersEndpointAndOtherwiseAbsent() {
        assertTrue(StackDatabase.from(Config.of(Map.of())).isEmpty());
        assertTrue(StackDatabase.from(Config.of(Map.of("STACK_DATABASE_HOST", ""))).isEmpty(), "the template's empty value: no database");
        StackDatabase aws = StackDatabase.from(Config.of(Map.of("STACK_DATABASE_HOST", "db.cluster-x.eu-west-1.rds.amazonaws.com",
                "STACK_DATABASE_PORT", "5432"))).orElseThrow();
        assertEquals("db.cluster-x.eu-west-1.rds.amazonaws.com", aws.host());
        // the API's functions know the endpoint only: making a database is the data job's (which has the login)
        assertThrows(IllegalStateException.class, () -> aws.provision("shop"));
        assertEquals("app_my_shop", StackDatabase.databaseOf("my-shop"));
        assertThrows(IllegalArgumentException.class, () -> StackDatabase.databaseOf("x\"; drop"));
    }

    @Test
    void aProvisionMakesTheAppsOwnDatabaseAndRoleAndCanRunAgain() throws Exception {
        PostgresServer server = TestPostgres.server();
        StackDatabase stack = StackDatabase.from(Config.of(Map.of("STACK_DATABASE_URL", server.url("postgres")))).orElseThrow();
        try {
            DatabaseUrl first = stack.provision("stack-test");
            DatabaseUrl again = stack.provision("stack-test"); // a retried job: the same database, a new password
            assertEquals("app_stack_test", again.database());
            assertEquals("app_stack_test", again.user());
            assertFalse(first.password().equals(again.password()));
            try (Connection c = again.server().connect(again.database()); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select pg_get_userbyid(datdba), has_database_privilege('public', datname, 'CONNECT')"
                         + " from pg_database where datname = current_database()")) {
                assertTrue(r.next());
                assertEquals("app_stack_test", r.getString(1));
                assertFalse(r.getBoolean(2), "other roles may not connect");
            }
        } finally {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS app_stack_test WITH (FORCE)");
                s.execute("DROP ROLE IF EXISTS app_stack_test");
            }
        }
    }

    @Test
    void theLinkRulesAdmitTheStacksOwnPrivateEndpointOverTlsOnly() {
        DatabaseAccess access = new DatabaseAccess(false, "10.20.30.40");
        access.check(DatabaseUrl.parse("postgres://app_shop:pw@10.20.30.40:5432/app_shop?sslmode=require", "/url"), "/url");
        DomainException other = assertThrows(DomainException.class, () -> access.check(
                DatabaseUrl.parse("postgres://u:pw@10.20.30.41:5432/db?sslmode=require", "/url"), "/url"));
        assertEquals("DATABASE_HOST_NOT_PUBLIC", other.error().name());
        DomainException plain = assertThrows(DomainException.class, () -> access.check(
                DatabaseUrl.parse("postgres://app_shop:pw@10.20.30.40:5432/app_shop?sslmode=disable", "/url"), "/url"));
        assertEquals("DATABASE_TLS_REQUIRED", plain.error().name());
        // without a stack database, the same private host is refused
        assertThrows(DomainException.class, () -> new DatabaseAccess(false).check(
                DatabaseUrl.parse("postgres://app_shop:pw@10.20.30.40:5432/app_shop?sslmode=require", "/url"), "/url"));
    }
}
