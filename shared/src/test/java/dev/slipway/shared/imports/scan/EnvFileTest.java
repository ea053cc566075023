package dev.slipway.shared.imports.scan;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvFileTest {
    @Test
    void envFileNamesInAnyLetterCase() {
        for (String n : List.of(".env", ".ENV", ".Env", ".env.local", ".Env.local", ".ENV.LOCAL", ".eNv.Production",
                ".envrc", ".ENVRC")) {
            assertTrue(EnvFile.isEnvFileName(n), n);
        }
        for (String n : List.of(".env.example", ".ENV.EXAMPLE", ".Env.Sample", ".env.TEMPLATE", "env", "ENV", "x.env",
                "a.ENV.local", "env.local")) {
            assertFalse(EnvFile.isEnvFileName(n), n);
        }
    }

    @Test
    void plainValuesExportAndComments() {
        Map<String, String> env = EnvFile.parse("""
                # a comment
                   # an indented comment
                VITE_SUPABASE_URL=https://abc.supabase.co
                export API_KEY=abc123
                export   SPACED = value with spaces   \s
                EMPTY=
                ALSO_EMPTY=   # only a comment
                HASH=a#b
                INLINE=value # trailing comment
                TAB=value\t# tab then comment
                dotted.key-name=ok
                """);
        assertEquals("https://abc.supabase.co", env.get("VITE_SUPABASE_URL"));
        assertEquals("abc123", env.get("API_KEY"));
        assertEquals("value with spaces", env.get("SPACED"));
        assertEquals("", env.get("EMPTY"));
        assertEquals("", env.get("ALSO_EMPTY"));
        assertEquals("a#b", env.get("HASH"));
        assertEquals("value", env.get("INLINE"));
        assertEquals("value", env.get("TAB"));
        assertEquals("ok", env.get("dotted.key-name"));
        assertEquals(List.of("VITE_SUPABASE_URL", "API_KEY", "SPACED", "EMPTY", "ALSO_EMPTY", "HASH", "INLINE", "TAB", "dotted.key-name"),
                List.copyOf(env.keySet()));
    }

    @Test
    void singleQuotesAreLiteral() {
        Map<String, String> env = EnvFile.parse("A='it has # and \\n and \"quotes\"' # comment\nB='  padded  '\n");
        assertEquals("it has # and \\n and \"quotes\"", env.get("A"));
        assertEquals("  padded  ", env.get("B"));
    }

    @Test
    void doubleQuotesUnderstandEscapesAndSpanLines() {
        Map<String, String> env = EnvFile.parse("""
                A="line1\\nline2"
                B="say \\"hi\\" # not a comment" # a comment
                C="back\\\\slash and \\x kept"
                PRIVATE_KEY="-----BEGIN PRIVATE KEY-----
                MIIEvQ
                -----END PRIVATE KEY-----"
                AFTER=yes
                """);
        assertEquals("line1\nline2", env.get("A"));
        assertEquals("say \"hi\" # not a comment", env.get("B"));
        assertEquals("back\\slash and \\x kept", env.get("C"));
        assertEquals("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", env.get("PRIVATE_KEY"));
        assertEquals("yes", env.get("AFTER"));
        assertEquals(5, env.size());
    }

    @Test
    void invalidLinesAreSkippedAndLaterKeysWin() {
        Map<String, String> env = EnvFile.parse("""
                1BAD=x
                has space=x
                NO_EQUALS_SIGN
                =novalue
                -dash=x
                KEY=first
                OTHER=1
                KEY=second
                """);
        assertEquals(Map.of("KEY", "second", "OTHER", "1"), env);
        assertEquals(List.of("KEY", "OTHER"), List.copyOf(env.keySet()));
    }

    @Test
    void crlfBomUnterminatedQuotesAndEmptyInput() {
        assertTrue(EnvFile.parse("").isEmpty());
        assertTrue(EnvFile.parse(null).isEmpty());
        assertTrue(EnvFile.parse("\n\n# only comments\n").isEmpty());
        Map<String, String> env = EnvFile.parse("\uFEFFA=1\r\nB=\"two\"\r\nC=\"never closed\r\nD=4");
        assertEquals("1", env.get("A"));
        assertEquals("two", env.get("B"));
        assertEquals("never closed", env.get("C"));
        assertEquals("4", env.get("D"));
    }

    @Test
    void equalsSignsInValuesAndExportAsKey() {
        Map<String, String> env = EnvFile.parse("URL=postgres://u:p@h/db?x=1&y=2\nexport=plain\nB64=abc==\n");
        assertEquals("postgres://u:p@h/db?x=1&y=2", env.get("URL"));
        assertEquals("plain", env.get("export"));
        assertEquals("abc==", env.get("B64"));
    }
}
