package dev.slipway.functions.data;

import dev.slipway.shared.config.Config;
import dev.slipway.shared.wiring.FunctionServices;

/**
 * The data jar's composition root: the stores and services of the database routes and the data
 * workflow's steps, each built once per handler instance and only when a handler asks for it.
 */
final class DataFunctionServices extends FunctionServices {
    DataFunctionServices(Config config) {
        super(config);
    }
}
