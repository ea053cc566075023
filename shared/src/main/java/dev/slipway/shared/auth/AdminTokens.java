package dev.slipway.shared.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Admin tokens: how they are made and the only form in which Slipway stores them (SHA-256). */
public final class AdminTokens {
    public static final String PREFIX = "slw_";

    private AdminTokens() {
    }

    /** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
    public static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }
}
