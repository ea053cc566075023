package dev.slipway.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of the world it runs in: its streams, environment, working folder and whether a person
 * sits at it. Passed in (never read from System) so tests run commands in-process with their own config folder.
 *
 * @param interactive stdin and stdout are a terminal: prompts, progress bars and the system opener are allowed
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd,
                       boolean interactive) {

    public static Terminal system() {
        return new Terminal(System.in, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath(), isTerminal());
    }

    /** Java 17 has a console only on a terminal; from Java 22 there is one anyway, and {@code isTerminal()} tells. */
    private static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
