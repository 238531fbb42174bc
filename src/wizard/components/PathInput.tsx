import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { useMemo, useState } from 'react';
import { Box } from 'ink';
import { backupFilesIn, didYouMean } from '../../core/util/path-hints.js';
import { completeTyped, pathFromTyped, resolveTyped } from '../path-text.js';
import { ErrorBox } from './ErrorBox.js';
import { LineInput } from './LineInput.js';
import { Para } from './Para.js';

/**
 * The backup path prompt: the backup files in the folder are offered (Enter takes the first
 * when nothing is typed), Tab completes as a shell does (and Enter reads what Tab wrote: `~`,
 * quotes, escaped spaces, file:// URLs), the text typed stays after an error, the error goes
 * once the text changes, and a near miss gets "Did you mean …?" which Tab fills in.
 */
export function PathInput({ cwd, typed = '', error, onSubmit }: { cwd: string; typed?: string; error?: unknown; onSubmit: (path: string) => void }) {
  const found = useMemo(() => backupFilesIn(cwd), [cwd]);
  const home = homedir();
  // Only for a path that is not there: a damaged file is not a typo.
  const suggestion = useMemo(() => (error !== undefined && typed && !existsSync(resolveTyped(typed, cwd, home)) ? didYouMean(cwd, pathFromTyped(typed, home)) : null), [cwd, typed, error, home]);
  const [candidates, setCandidates] = useState<string[]>([]);
  const [edited, setEdited] = useState(false);
  const first = found[0];
  return (
    <Box flexDirection="column">
      {found.length > 0 && !typed ? (
        <Para dim>
          Backup files here: {found.slice(0, 4).join(', ')}
          {found.length > 4 ? ` and ${found.length - 4} more` : ''} (Enter takes {first}; Tab completes)
        </Para>
      ) : null}
      <LineInput
        defaultValue={typed}
        placeholder={first ?? './backup.json'}
        onSubmit={(value) => {
          const path = value.trim() || first;
          if (path) onSubmit(path);
        }}
        onChange={() => {
          setCandidates([]);
          setEdited(true);
        }}
        onTab={(value) => {
          if (suggestion && value === typed) return suggestion;
          if (value === '' && first) return first;
          const completion = completeTyped(cwd, value);
          setCandidates(completion.candidates.slice(0, 8));
          return completion.value;
        }}
      />
      {candidates.length > 0 ? <Para dim>{candidates.join('  ')}</Para> : null}
      {error !== undefined && !edited ? <ErrorBox error={error} /> : null}
      {suggestion && !edited ? (
        <Para mark="  ? " color="cyan">
          Did you mean {suggestion}? (Tab fills it in)
        </Para>
      ) : null}
    </Box>
  );
}
