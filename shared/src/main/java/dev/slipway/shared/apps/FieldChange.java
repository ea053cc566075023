package dev.slipway.shared.apps;

/**
 * One field of a JSON merge patch (RFC 7396), typed: not given keeps the current value; given
 * replaces it, and a given null removes it.
 */
public record FieldChange<T>(boolean given, T value) {
    private static final FieldChange<?> KEEP = new FieldChange<>(false, null);

    @SuppressWarnings("unchecked")
    public static <T> FieldChange<T> keep() {
        return (FieldChange<T>) KEEP;
    }

    public static <T> FieldChange<T> to(T value) {
        return new FieldChange<>(true, value);
    }

    public T applyTo(T current) {
        return given ? value : current;
    }
}
