import { pidFileOf, type StopOutcome } from '../core/local-server/pid-file.js';

/** What `serve --stop` did, in words, and whether that is a success. */
export function describeStop(outcome: StopOutcome, path: string): { ok: boolean; text: string } {
  const file = pidFileOf(path);
  switch (outcome.kind) {
    case 'stopped':
      return { ok: true, text: `✓ Stopped the Chroma server for ${path} (process ${outcome.pid}).` };
    case 'none':
      return { ok: true, text: `Nothing to stop: no Chroma server started by chroma-migrate serves ${path} (there is no ${file}).` };
    case 'stale':
      return { ok: true, text: `Nothing to stop: process ${outcome.pid}, named in ${file}, is no longer the Chroma server for ${path} (the file is removed).` };
    case 'unchecked':
      return { ok: false, text: `✗ Could not tell whether process ${outcome.pid} (named in ${file}) is the Chroma server for ${path}, so it was left alone.\n  If it is: kill -INT ${outcome.pid}` };
    case 'not-yours':
      return { ok: false, text: `✗ The Chroma server for ${path} (process ${outcome.pid}) runs as another user; stop it as that user: kill -INT ${outcome.pid}` };
  }
}
