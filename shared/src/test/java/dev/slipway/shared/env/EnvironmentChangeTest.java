package dev.slipway.shared.env;

import dev.slipway.shared.errors.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PATCH body is checked whole; each bad part is named by its JSON Pointer, never with its value. */
class EnvironmentChangeTest {
    private static EnvironmentChange parse(String json) {
        return EnvironmentChange.fromJson((ObjectNode) Json.parse(json));
    }

    private static DomainException refused(String json) {
        return assertThrows(DomainException.class, () -> parse(json), json);
    }

    @Test
    void scopesDefaultToBoth() {
        var c = parse("{\"set\":{\"A\":{\"value\":\"1\"},\"B_2\":{\"value\":\"2\",\"scopes\":[\"preview\"]}},\"remove\":[\"old.name\"]}");
        assertEquals(EnvScope.ALL, c.set().get("A").scopes());
        assertEquals(Set.of(EnvScope.PREVIEW), c.set().get("B_2").scopes());
        assertEquals(List.of("old.name"), c.remove());
    }

    @Test
    void badBodiesAreRefusedWithPointers() {
        String secret = "do-not-echo-this-secret";
        var p = refused("{\"set\":{\"1BAD\":{\"value\":\"" + secret + "\"},\"OK\":{\"value\":\"\"},"
                + "\"PATH\":{\"value\":\"x\"},\"S\":{\"value\":\"x\",\"scopes\":[\"staging\"]},"
                + "\"T\":{\"value\":\"x\",\"scopes\":[]},\"U\":{\"value\":5},\"V\":{\"value\":\"x\",\"extra\":1}},"
                + "\"remove\":[\"OK2\",7,\"a/b\"]}");
        assertEquals(DomainError.VALIDATION_FAILED, p.error());
        List<String> pointers = p.errors().stream().map(FieldError::pointer).toList();
        assertEquals(List.of("/set/1BAD", "/set/OK/value", "/set/PATH", "/set/S/scopes/0", "/set/T/scopes", "/set/U/value",
                "/set/V/extra", "/remove/1", "/remove/2"), pointers);
        assertFalse(p.errors().toString().contains(secret));
        assertEquals(DomainError.UNKNOWN_FIELD, refused("{\"put\":{}}").error());
        assertEquals(DomainError.VALIDATION_FAILED, refused("{}").error());
        assertEquals(DomainError.VALIDATION_FAILED, refused("{\"set\":{\"A\":{\"value\":\"1\"}},\"remove\":[\"A\"]}").error());
        assertEquals(DomainError.VALIDATION_FAILED, refused("{\"set\":{\"A\":{\"value\":\"" + "x".repeat(4097) + "\"}}}").error());
        assertEquals(DomainError.VALIDATION_FAILED, refused("{\"set\":{\"" + "A".repeat(129) + "\":{\"value\":\"1\"}}}").error());
        StringBuilder many = new StringBuilder("{\"remove\":[");
        for (int i = 0; i <= EnvironmentService.MAX_NAMES_PER_CHANGE; i++) {
            many.append(i == 0 ? "" : ",").append("\"N").append(i).append('"');
        }
        assertEquals(DomainError.VALIDATION_FAILED, refused(many + "]}").error());
        assertTrue(parse("{\"set\":{\"A\":{\"value\":\"" + "é".repeat(2048) + "\"}}}").set().containsKey("A"), "4096 bytes fit");
    }
}
