package dev.slipway.shared.gitserver;

import org.eclipse.jgit.lib.ObjectId;

/** A branch a push moved: {@code before} null when created, {@code after} null when deleted. */
public record PushedBranch(String branch, ObjectId before, ObjectId after) {
}
