/** export = a Chroma server → a backup file (the server source pumps its pages into the backup writer). */
export { exportCollections } from '../sources/server/export-pump.js';
