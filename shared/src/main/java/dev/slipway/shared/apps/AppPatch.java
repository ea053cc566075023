package dev.slipway.shared.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.errors.DomainError;
import dev.slipway.shared.errors.DomainException;
import dev.slipway.shared.errors.FieldError;
import dev.slipway.shared.json.JsonObjectReader;

import java.util.List;
import java.util.Set;

/**
 * What {@code PATCH /apps/{appId}} asks for, checked: a JSON merge patch (RFC 7396) of the
 * owner-controlled fields. {@code build: null} resets the build settings; inside {@code build},
 * each field is kept, removed or replaced on its own.
 */
public record AppPatch(FieldChange<String> name, FieldChange<BuildSettingsPatch> build,
                       FieldChange<Integer> retainReleases) {
    static final Set<String> FIELDS = Set.of("name", "build", "retainReleases");

    /** An app's id is fixed: refused (400) before anything else about the request is judged. */
    public static void refuseIdChange(ObjectNode body) {
        if (body.has("id")) {
            throw new DomainException(DomainError.VALIDATION_FAILED, "An app's id cannot change",
                    List.of(new FieldError("/id", "is fixed at creation")));
        }
    }

    /** Reads the request body; every problem is listed with its JSON Pointer (400), nothing is written. */
    public static AppPatch fromJson(ObjectNode body) {
        refuseIdChange(body);
        JsonObjectReader in = JsonObjectReader.of(body, FIELDS);
        FieldChange<String> name = in.has("name") ? FieldChange.to(NewApp.name(in)) : FieldChange.keep();
        FieldChange<BuildSettingsPatch> build = FieldChange.keep();
        if (in.isNull("build")) {
            build = FieldChange.to(null);
        } else if (in.has("build")) {
            build = in.object("build", BuildSettingsInput.FIELDS)
                    .map(b -> FieldChange.to(BuildSettingsInput.read(b)))
                    .orElse(FieldChange.keep());
        }
        FieldChange<Integer> retain = FieldChange.keep();
        if (in.isNull("retainReleases")) {
            retain = FieldChange.to(null);
        } else if (in.has("retainReleases")) {
            retain = in.longValue("retainReleases").map(n -> {
                if (n < 1 || n > App.MAX_RETAIN_RELEASES) {
                    in.error("retainReleases", "must be 1-" + App.MAX_RETAIN_RELEASES + " (production releases the cleanup keeps)");
                    return FieldChange.<Integer>keep();
                }
                return FieldChange.to(n.intValue());
            }).orElse(FieldChange.keep());
        }
        in.throwIfInvalid();
        return new AppPatch(name, build, retain);
    }

    /** The build settings after this patch: reset to none, changed field by field, or kept. */
    public BuildSettings buildAfter(BuildSettings current) {
        if (!build.given()) {
            return current;
        }
        return build.value() == null ? BuildSettings.NONE : build.value().applyTo(current);
    }
}
