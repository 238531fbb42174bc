/** export = a Chroma server → a backup file (the server source pumps its pages into the backup writer). */
export { exportCollections, type ExportOptions, type ExportResult } from '../sources/server/export-pump.js';
