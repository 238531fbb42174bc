/** The library face: what an app imports after the migration, and the engine for scripts. */
export { createChromaClient } from './app-client.js';
export { loadEnv } from './core/connection.js';
export { exportCollections } from './core/export.js';
export { importBackup } from './core/import.js';
export { verifyBackup } from './core/verify.js';
export { startChromaServer } from './core/server/chroma-server.js';
export { MigrateError } from './core/errors.js';
