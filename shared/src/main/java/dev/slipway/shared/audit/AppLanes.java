package dev.slipway.shared.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Work for many apps at once, each app's items one after another: an app's audit chain takes one
 * append at a time (concurrent writers of one app only collide and retry), different apps' never
 * meet. Batch jobs (the cleanup) spend their time waiting on round trips, so lanes overlap them.
 */
public final class AppLanes implements AutoCloseable {
    private final ExecutorService pool;

    public AppLanes(int lanes) {
        this.pool = Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "app-lane");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code work} for every item, items of one app in their order, until {@code stop} says so
     * (checked before each item). Returns when all lanes are done; a lane's exception is rethrown.
     */
    public <T> void run(List<T> items, Function<T, String> appOf, BooleanSupplier stop, Consumer<T> work) {
        Map<String, List<T>> byApp = new LinkedHashMap<>();
        for (T item : items) {
            byApp.computeIfAbsent(appOf.apply(item), a -> new ArrayList<>()).add(item);
        }
        List<Future<?>> lanes = new ArrayList<>();
        for (List<T> lane : byApp.values()) {
            lanes.add(pool.submit(() -> {
                for (T item : lane) {
                    if (stop.getAsBoolean()) {
                        return;
                    }
                    work.accept(item);
                }
            }));
        }
        for (Future<?> lane : lanes) {
            try {
                lane.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
