/**
 * The app's database (issue 18, docs/data.md): {@code link} (the linked URL, kept as environment
 * values are), {@code postgres} (connections from a URL: TLS and host rules; servers this process
 * runs; scratch databases), {@code copy} (schema and table streaming with checksums), {@code backup}
 * (backups, verification, restores, retention, schedule); {@code migrate}, {@code move} and
 * {@code preview} build on them.
 */
package dev.slipway.shared.data;
