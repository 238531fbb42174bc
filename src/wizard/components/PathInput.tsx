import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { useMemo, useState } from 'react';
import { Box } from 'ink';
import { backupFilesIn, completePath, didYouMean } from '../../core/util/path-hints.js';
import { ErrorBox } from './ErrorBox.js';
import { LineInput } from './LineInput.js';
import { Para } from './Para.js';

/**
 * The backup path prompt: the backup files in the folder are offered (Enter takes the first
 * when nothing is typed), Tab completes, the text typed stays after an error, and a near miss
 * gets "Did you mean …?" which Tab fills in.
 */
export function PathInput({ cwd, typed = '', error, onSubmit }: { cwd: string; typed?: string; error?: unknown; onSubmit: (path: string) => void }) {
  const found = useMemo(() => backupFilesIn(cwd), [cwd]);
  // Only for a path that is not there: a damaged file is not a typo.
  const suggestion = useMemo(() => (error !== undefined && typed && !existsSync(resolve(cwd, typed)) ? didYouMean(cwd, typed) : null), [cwd, typed, error]);
  const [candidates, setCandidates] = useState<string[]>([]);
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
        onChange={() => setCandidates([])}
        onTab={(value) => {
          if (suggestion && value === typed) return suggestion;
          if (value === '' && first) return first;
          const completion = completePath(cwd, value);
          setCandidates(completion.candidates.slice(0, 8));
          return completion.value;
        }}
      />
      {candidates.length > 0 ? <Para dim>{candidates.join('  ')}</Para> : null}
      {error !== undefined ? <ErrorBox error={error} /> : null}
      {suggestion ? (
        <Para mark="  ? " color="cyan">
          Did you mean {suggestion}? (Tab fills it in)
        </Para>
      ) : null}
    </Box>
  );
}
