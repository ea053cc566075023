package dev.slipway.shared.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** App names (POST /apps and PATCH /apps/{appId}): characters that hide or reorder text are refused. */
class AppNameTest {
    /** Bidi controls and zero-width characters: the attack run's names that were accepted. */
    private static final int[] BIDI_AND_ZERO_WIDTH = {
            0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
            0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF};
    /** Other controls: C0, DEL, C1 (NEL included), and the Unicode line and paragraph separators. */
    private static final int[] CONTROLS = {0x01, 0x0A, 0x1B, 0x7F, 0x80, 0x85, 0x9B, 0x9F, 0x2028, 0x2029};

    private static ObjectNode body(String name) {
        ObjectNode n = Json.object();
        n.put("name", name);
        return n;
    }

    private static void refused(String name, Consumer<ObjectNode> read) {
        DomainException e = assertThrows(DomainException.class, () -> read.accept(body(name)), escaped(name));
        assertEquals(DomainError.VALIDATION_FAILED, e.error());
        List<FieldError> errors = e.errors();
        assertTrue(errors.stream().anyMatch(f -> f.pointer().equals("/name")), escaped(name) + ": " + errors);
        assertTrue(e.detail().chars().allMatch(c -> c >= 0x20 && c < 0x7f), "the detail echoes no hidden character: " + e.detail());
    }

    private static String escaped(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.append(cp >= 0x20 && cp < 0x7f ? Character.toString(cp) : String.format("\\u%04X", cp)));
        return b.toString();
    }

    @Test
    void bidiAndZeroWidthCharactersAreRefusedOnCreateAndPatch() {
        for (int cp : BIDI_AND_ZERO_WIDTH) {
            String c = Character.toString(cp);
            for (String name : List.of("Shop" + c + "Admin", c + "Shop", "Shop" + c)) {
                refused(name, NewApp::fromJson);
                refused(name, AppPatch::fromJson);
            }
        }
    }

    @Test
    void controlCharactersAndUnpairedSurrogatesAreRefused() {
        for (int cp : CONTROLS) {
            refused("Shop" + Character.toString(cp) + "Admin", NewApp::fromJson);
            refused("Shop" + Character.toString(cp) + "Admin", AppPatch::fromJson);
        }
        refused("Shop\uD800Admin", NewApp::fromJson);
        refused("Shop\uDC00", AppPatch::fromJson);
    }

    @Test
    void ordinaryNamesInAnyScriptStayAccepted() {
        for (String name : List.of("My Shop", "Café Crème", "東京ストア", "متجر", "Shop 👍", "Ünïcödé – shop", "  padded  ")) {
            ObjectNode create = body(name);
            create.put("id", "shop");
            assertEquals(name.strip(), assertDoesNotThrow(() -> NewApp.fromJson(create), name).name());
            assertDoesNotThrow(() -> AppPatch.fromJson(body(name)), name);
        }
    }
}
