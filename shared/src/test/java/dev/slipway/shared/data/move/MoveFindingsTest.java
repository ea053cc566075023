package dev.slipway.shared.data.move;

import dev.slipway.shared.data.TestPostgres;
import dev.slipway.shared.data.postgres.ScratchDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MoveFindingsTest {
    @Test
    void aSupabaseShapedSourceNamesWhatCannotMove() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            SupabaseShapedSource.create(s);
            List<MoveFinding> findings = MoveFindings.of(s, MoveFindings.edgeFunctions(List.of("supabase/functions/send-email/index.ts",
                    "supabase/functions/_shared/cors.ts", "supabase/functions/stripe-webhook/index.ts", "src/App.tsx")));
            List<String> rules = findings.stream().map(MoveFinding::rule).toList();
            assertEquals(List.of("supabase-auth", "supabase-storage", "supabase-edge-functions", "policy-uses-supabase-auth",
                    "foreign-key-to-supabase-auth"), rules, findings.toString());
            assertTrue(findings.get(0).message().startsWith("2 user(s)"), findings.get(0).message());
            assertTrue(findings.get(1).message().startsWith("1 file(s)"), findings.get(1).message());
            assertTrue(findings.get(2).message().contains("send-email, stripe-webhook") && !findings.get(2).message().contains("_shared"),
                    findings.get(2).message());
            // only the policy that calls auth.uid(), not the one that does not
            assertEquals("policy \"own profile\" on public.profiles", findings.get(3).object());
            assertEquals("constraint profiles_id_fkey on profiles", findings.get(4).object());
        }
    }

    @Test
    void aPlainPostgresSourceHasNoFindings() throws Exception {
        try (ScratchDatabase source = TestPostgres.freshDatabase(); ScratchDatabase target = TestPostgres.freshDatabase();
             Connection s = source.connect(); Connection t = target.connect()) {
            s.createStatement().execute("create table notes (id int primary key, body text)");
            assertEquals(List.of(), MoveFindings.of(s, MoveFindings.edgeFunctions(List.of("src/index.ts"))));
        }
    }
}
