/** The library face: what an app imports after the migration, and the engine for scripts. */
export { createChromaClient } from './app-client.js';
export { loadEnv } from './core/chroma/connection.js';
export { exportCollections } from './core/operations/export.js';
export { importBackup } from './core/operations/import.js';
export { verifyBackup } from './core/operations/verify.js';
export { startChromaServer } from './core/local-server/chroma-server.js';
export { MigrateError } from './core/util/errors.js';
