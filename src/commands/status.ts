import { loadState, statePath } from '../core/state/store.js';
import { STEPS } from '../core/state/steps.js';
import { fraction } from '../core/util/format.js';
import type { MigrationState } from '../core/state/schema.js';
import { parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';

const OPTIONS = { json: { type: 'boolean' } } as const;

const MARKS = { done: '✓', skipped: '–', failed: '✗', active: '▶', pending: ' ' } as const;

/** The guide's "Migration Status": seven steps, what is done, where the user is. */
export function checklist(state: MigrationState): string[] {
  const current = STEPS.find((step) => {
    const status = state.steps[step.id]?.status ?? 'pending';
    return status !== 'done' && status !== 'skipped';
  });
  return STEPS.map((step, index) => {
    const entry = state.steps[step.id];
    const status = entry?.status ?? 'pending';
    const here = current?.id === step.id ? '  ← you are here' : '';
    const detail = entry?.detail ? ` (${entry.detail})` : '';
    return `[${MARKS[status]}] ${index + 1}. ${step.title}${detail}${here}`;
  });
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the migration checklist: what is done and where you are',
  help: `Usage: chroma-migrate status [--json] [--state FILE]

Prints the seven steps from the saved migration state (.chroma-migrate/state.json in the
current folder, or --state FILE / CHROMA_MIGRATE_STATE), and any import or export that can
be resumed. Works without a terminal.`,

  async run(args, io) {
    const { values } = parseCommandArgs('status', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const path = statePath(values.state, io.env);
    const state = await loadState(path);
    const unfinishedImports = state.imports.filter((entry) => !entry.done);
    const unfinishedExports = state.exports.filter((entry) => !entry.done);
    if (values.json) {
      writeJson(io, {
        statePath: path,
        steps: STEPS.map((step) => ({ id: step.id, title: step.title, ...(state.steps[step.id] ?? { status: 'pending' }) })),
        backupPath: state.backupPath ?? null,
        targetUrl: state.targetUrl ?? null,
        resumable: { imports: unfinishedImports, exports: unfinishedExports },
      });
      return EXIT.ok;
    }
    const lines = ['Migration Status', '', ...checklist(state), ''];
    if (state.backupPath) lines.push(`Backup: ${state.backupPath}`);
    if (state.targetUrl) lines.push(`Target: ${state.targetUrl}`);
    for (const entry of unfinishedImports) lines.push(`Import of "${entry.collection}" can resume at ${fraction(entry.committed, entry.total)} records (chroma-migrate import --input ${entry.backup})`);
    for (const entry of unfinishedExports) lines.push(`Export to ${entry.out} can resume (run the same export command again)`);
    io.stdout.write(`${lines.join('\n').trimEnd()}\n`);
    return EXIT.ok;
  },
};
