import { octalMode, type AppliedEnvPlan } from '../core/env-file/apply.js';
import { shellWord } from '../core/util/format.js';

interface Written {
  path: string;
  /** The mode the file had (0600 for a file that was not there). */
  mode: number;
  existed: boolean;
  writesToken: boolean;
}

/** Shown with the change, when the file begins with a byte-order mark: the rewrite leaves it out. */
export const BOM_NOTE = "Its byte-order mark (BOM) goes too: Python's dotenv reads it as part of the first key (the backup keeps it).";

/** Who can read the file, once env set (or the wizard) wrote a token into it. */
export function modeNotes(file: Written, { tightened }: Pick<AppliedEnvPlan, 'tightened'>): string[] {
  const notes: string[] = [];
  if (tightened) {
    const groupLost = (tightened.from & 0o040) !== 0 && (tightened.to & 0o040) === 0;
    notes.push(
      `It now holds a token, so only you can read it: its mode went from ${octalMode(tightened.from)} to ${octalMode(tightened.to)}.` +
        (groupLost ? ` Its group can no longer read it either: an app that runs as another user of that group must be given it back (chmod 640 ${shellWord(file.path)}).` : ''),
    );
  } else if (file.writesToken && !file.existed) {
    notes.push(`It holds a token, so only you can read it (mode ${octalMode(file.mode)}).`);
  } else if (file.writesToken && (file.mode & 0o040) !== 0) {
    notes.push(`It holds a token, and its group can read it (mode ${octalMode(file.mode)}, as you had set it). To keep it to yourself: chmod 600 ${shellWord(file.path)}`);
  }
  return notes;
}
