package dev.slipway.shared.deploy.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.slipway.shared.env.EnvScope;

/**
 * Where a deployment goes live, and the alias it moves: {@link Production} or a named {@link Preview}.
 * The wire form (API bodies, the state machine's input, stored deployments, alias names) is
 * {@code production} or {@code preview:<name>}; {@link #parse} and {@link #wire} are the one place
 * that reads and writes it.
 */
public sealed interface DeployTarget {
    String PRODUCTION_NAME = "production";
    String PREVIEW_PREFIX = "preview:";

    /** {@code production} or {@code preview:<name>}: also the name of the alias this target moves (and its JSON). */
    @JsonValue
    String wire();

    /** The environment scope a build for this target gets: a preview never sees production-only values. */
    EnvScope scope();

    /** The alias a deployment to this target moves (its name is the wire form). */
    default String aliasName() {
        return wire();
    }

    record Production() implements DeployTarget {
        @Override
        public String wire() {
            return PRODUCTION_NAME;
        }

        @Override
        public EnvScope scope() {
            return EnvScope.PRODUCTION;
        }
    }

    /** A preview's target; {@code name} is the preview's name (a slug, checked by the previews service). */
    record Preview(String name) implements DeployTarget {
        public Preview {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a preview target needs a name");
            }
        }

        @Override
        public String wire() {
            return PREVIEW_PREFIX + name;
        }

        @Override
        public EnvScope scope() {
            return EnvScope.PREVIEW;
        }
    }

    DeployTarget PRODUCTION = new Production();

    /** The target of a wire form; null (a deployment stored before targets existed) is production. */
    @JsonCreator
    static DeployTarget parse(String wire) {
        if (wire == null || wire.equals(PRODUCTION_NAME)) {
            return PRODUCTION;
        }
        if (wire.startsWith(PREVIEW_PREFIX) && wire.length() > PREVIEW_PREFIX.length()) {
            return new Preview(wire.substring(PREVIEW_PREFIX.length()));
        }
        throw new IllegalArgumentException("not a deployment target: " + wire);
    }

    static DeployTarget preview(String name) {
        return new Preview(name);
    }
}
