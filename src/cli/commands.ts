import { backupCommand } from '../commands/backup.js';
import type { Command } from './command.js';
import { deployGuideCommand } from '../commands/deploy-guide.js';
import { embeddingsCommand } from '../commands/embeddings.js';
import { envCommand } from '../commands/env.js';
import { copyCommand } from '../commands/copy.js';
import { exportCommand } from '../commands/export.js';
import { importCommand } from '../commands/import.js';
import { ingestCommand } from '../commands/ingest.js';
import { pingCommand } from '../commands/ping.js';
import { rollbackCommand } from '../commands/rollback.js';
import { serveCommand } from '../commands/serve.js';
import { statusCommand } from '../commands/status.js';
import { syncCommand } from '../commands/sync.js';
import { verifyCommand } from '../commands/verify.js';

/** In the order a migration uses them. */
export const COMMANDS: Command[] = [exportCommand, deployGuideCommand, serveCommand, pingCommand, importCommand, verifyCommand, copyCommand, syncCommand, embeddingsCommand, envCommand, ingestCommand, backupCommand, rollbackCommand, statusCommand];
