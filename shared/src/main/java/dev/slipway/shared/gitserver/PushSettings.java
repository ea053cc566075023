package dev.slipway.shared.gitserver;

/**
 * What an app allows a push to do.
 *
 * @param mainRewritable whether main may be force-pushed or deleted (off by default: main is the
 *     history production is built from)
 */
public record PushSettings(boolean mainRewritable) {
    public static final PushSettings DEFAULT = new PushSettings(false);
}
