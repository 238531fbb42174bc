import { loadState } from '../core/state/store.js';
import { STEPS } from '../core/state/steps.js';
import { resumableRuns } from '../core/state/runs.js';
import { resumableLines, resumeLines } from '../present/resume-command.js';
import { checklist, savedNotChecked } from '../present/checklist.js';
import { EXIT } from '../cli/command.js';
import { defineCommand } from '../cli/define-command.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'Show the migration checklist: what is done and where you are',
  usage: ['[--json] [--state FILE]'],
  readsStateOnly: true,
  description: `Prints the seven steps from the saved migration state (.chroma-migrate/state.json in the current
folder, or --state FILE / CHROMA_MIGRATE_STATE), and any import or export that can be resumed.
Works without a terminal.`,
  flags: {
    state: { type: 'string', arg: 'FILE', help: 'the migration state (default .chroma-migrate/state.json)' },
    json: { type: 'boolean', help: 'print the state as JSON on stdout' },
  },
  examples: [
    { what: 'where the migration in this folder stands', run: 'chroma-migrate status' },
    { run: 'chroma-migrate status --json' },
  ],

  async run({ io, json, statePath, writeJson }) {
    const state = await loadState(statePath);
    const imports = state.imports.filter((entry) => !entry.done);
    const exports = state.exports.filter((entry) => !entry.done);
    if (json) {
      writeJson({
        statePath,
        steps: STEPS.map((step) => ({ id: step.id, title: step.title, ...(state.steps[step.id] ?? { status: 'pending' }) })),
        backupPath: state.backupPath ?? null,
        targetUrl: state.targetUrl ?? null,
        resumable: { imports, exports, runs: resumableRuns(state).runs.map(({ run }) => ({ ...run, again: resumeLines(run, process.cwd())[0] })) },
      });
      return EXIT.ok;
    }
    const lines = ['Migration Status', '', ...checklist(state), ''];
    if (state.backupPath) lines.push(`Backup: ${state.backupPath}`);
    if (state.targetUrl) lines.push(`Target: ${state.targetUrl}`);
    const looking = savedNotChecked(state);
    if (looking.length > 0) lines.push(...(lines.at(-1) === '' ? [] : ['']), ...looking);
    const resumable = resumableLines(state, process.cwd());
    if (resumable.length > 0) lines.push(...(lines.at(-1) === '' ? [] : ['']), ...resumable);
    io.stdout.write(`${lines.join('\n').trimEnd()}\n`);
    return EXIT.ok;
  },
});
