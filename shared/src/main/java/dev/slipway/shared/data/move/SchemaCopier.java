package dev.slipway.shared.data.move;

import dev.slipway.shared.data.copy.SchemaPrerequisites;
import dev.slipway.shared.data.copy.SchemaScript;
import dev.slipway.shared.data.copy.TableCopy;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The move's copier, built on the backups' copy ({@link SchemaScript}: the DDL before and after the data;
 * {@link TableCopy}: rows over COPY): each table's rows stream from the source's COPY OUT straight into the target's
 * COPY IN through a pipe (bounded memory, no file, no S3 round trip). A statement of the DDL the target refuses (a
 * foreign key into {@code auth.users}, which does not move) is left out and becomes a finding, instead of failing
 * the whole move. What the schema needs on the target first (extensions, roles, Supabase's auth functions) is made
 * by {@link SchemaPrerequisites} and reported.
 */
public final class SchemaCopier implements DatabaseMove.Copier {
    private static final int PIPE_BYTES = 1 << 20;

    @Override
    public DatabaseMove.Copied copy(Connection source, Connection target, List<String> schemas) throws SQLException {
        SchemaScript script = SchemaScript.read(source, SchemaScript.Scope.schemas(schemas::contains));
        List<MoveFinding> findings = new ArrayList<>(MoveFindings.of(SchemaPrerequisites.prepare(target, script)));
        List<String> refused = new ArrayList<>();
        for (String ddl : script.before()) {
            apply(target, ddl, findings, refused);
        }
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "move-copy-out");
            t.setDaemon(true);
            return t;
        });
        try {
            for (SchemaScript.TableRef table : script.tables()) {
                pipe(source, target, table, reader);
            }
        } finally {
            reader.shutdownNow();
        }
        for (String ddl : script.after()) {
            apply(target, ddl, findings, refused);
        }
        // what the target must now have: the source's objects but those it refused (each a finding)
        Map<String, List<String>> expected = new TreeMap<>();
        script.objects().forEach((kind, definitions) -> expected.put(kind, definitions.stream().filter(d -> !refused.contains(d)).toList()));
        return new DatabaseMove.Copied(findings, expected);
    }

    private static void pipe(Connection source, Connection target, SchemaScript.TableRef table, ExecutorService reader) throws SQLException {
        try (PipedInputStream in = new PipedInputStream(PIPE_BYTES); PipedOutputStream out = new PipedOutputStream(in)) {
            Future<TableCopy.Stats> copied = reader.submit(() -> {
                try (out) {
                    return TableCopy.copyOut(source, table, out);
                }
            });
            TableCopy.copyIn(target, table, in);
            copied.get();
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + table.qualified() + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new IllegalStateException("copying " + table.qualified() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("copying " + table.qualified() + " was interrupted", e);
        }
    }

    /** Runs one DDL statement in a savepoint; one the target refuses is rolled back to it and reported. */
    private static void apply(Connection target, String ddl, List<MoveFinding> findings, List<String> refused) throws SQLException {
        Savepoint sp = target.setSavepoint();
        try (Statement s = target.createStatement()) {
            s.execute(ddl);
            target.releaseSavepoint(sp);
        } catch (SQLException e) {
            target.rollback(sp);
            refused.add(ddl);
            String first = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            findings.add(new MoveFinding("not-created", MoveFinding.WARNING, ddl.length() > 200 ? ddl.substring(0, 200) + "…" : ddl,
                    "the target refused it (" + first + "); the rest of the move went on without it"));
        }
    }
}
