import { backupCommand } from './backup.js';
import type { Command } from './command.js';
import { deployGuideCommand } from './deploy-guide.js';
import { envCommand } from './env.js';
import { copyCommand } from './copy.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { ingestCommand } from './ingest.js';
import { pingCommand } from './ping.js';
import { rollbackCommand } from './rollback.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** In the order a migration uses them. */
export const COMMANDS: Command[] = [exportCommand, deployGuideCommand, serveCommand, pingCommand, importCommand, verifyCommand, copyCommand, envCommand, ingestCommand, backupCommand, rollbackCommand, statusCommand];
