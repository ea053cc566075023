package dev.slipway.shared.json;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void canonicalFormSortsKeysAtEveryLevelAndDropsWhitespace() {
        String a = Json.canonical(Json.parse("{ \"b\": 1, \"a\": {\"z\": [true, null, \"x\"], \"y\": \"é\"} }"));
        String b = Json.canonical(Json.parse("{\"a\":{\"y\":\"é\",\"z\":[true,null,\"x\"]},\"b\":1}"));
        assertEquals(a, b);
        assertEquals("{\"a\":{\"y\":\"é\",\"z\":[true,null,\"x\"]},\"b\":1}", a);
    }

    @Test
    void canonicalFormRefusesFloatsWhoseTextIsNotUnique() {
        assertThrows(IllegalArgumentException.class, () -> Json.canonical(Json.parse("{\"a\":1.0}")));
    }
}
