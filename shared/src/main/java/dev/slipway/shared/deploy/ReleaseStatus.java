package dev.slipway.shared.deploy;

/** STAGED: files being written or checked. READY: complete, checked, immutable. FAILED: never served. */
public enum ReleaseStatus { STAGED, READY, FAILED }
