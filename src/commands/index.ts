import type { Command } from './command.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** In the order a migration uses them. */
export const COMMANDS: Command[] = [exportCommand, serveCommand, importCommand, verifyCommand, statusCommand];
