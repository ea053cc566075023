package dev.slipway.shared.wiring;

import java.util.function.Supplier;

/**
 * A part of a composition root, built on first use and then kept: a Lambda container builds only
 * what its handler asks for, and each part once.
 */
public final class Once<T> {
    private T value;

    public synchronized T get(Supplier<? extends T> build) {
        if (value == null) {
            value = build.get();
        }
        return value;
    }
}
