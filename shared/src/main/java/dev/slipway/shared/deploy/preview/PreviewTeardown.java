package dev.slipway.shared.deploy.preview;

/**
 * What goes with a removed preview besides its record, alias and edge entry (which {@link ExpiredPreviews} removes in
 * one transaction): its own servers, its own values and its own database (docs/data.md, "Preview databases"). Called
 * after that transaction; a failure or a kill before it leaves nothing for good: the data schedule drops databases
 * (and values) of previews that no longer exist, and a release's removal takes every server alias of it.
 */
@FunctionalInterface
public interface PreviewTeardown {
    void removed(String appId, String name);

    /** Nothing of its own to remove (tests, benchmarks). */
    PreviewTeardown NONE = (appId, name) -> { };
}
