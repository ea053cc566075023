package dev.slipway.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** {@code slipway <command>}: the users' CLI. {@link #run} is the whole program, for tests as for {@link #main}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, Terminal.system()));
    }

    /** Runs one command line in {@code io} and returns its exit code ({@link ExitCode}). */
    public static int run(String[] args, Terminal io) {
        CommandLine cl = new CommandLine(new SlipwayCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof BaseCommand b) {
                    b.io = io;
                }
                return k;
            }
        });
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            io.err().println("slipway: internal error: " + e);
            return ExitCode.FAILED;
        });
        return cl.execute(args);
    }
}
