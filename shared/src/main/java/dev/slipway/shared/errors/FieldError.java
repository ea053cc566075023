package dev.slipway.shared.errors;

/** One invalid value, located by a JSON Pointer (RFC 6901) into the request body. */
public record FieldError(String pointer, String detail) {
}
