package dev.slipway.local.template;

import java.util.Locale;

/**
 * Physical names of template resources on the laptop. CloudFormation would generate them; locally
 * they are derived from the logical id so they stay the same across restarts.
 */
public final class LocalNames {
    public String physicalName(String logicalId, String type) {
        return switch (type) {
            // Bucket names must be lower-case DNS labels.
            case SamTemplate.BUCKET -> "slipway-" + logicalId.toLowerCase(Locale.ROOT);
            case SamTemplate.TABLE -> "slipway-" + logicalId;
            default -> logicalId;
        };
    }
}
