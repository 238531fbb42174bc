import { useState } from 'react';
import { Box } from 'ink';
import { LineInput } from '../../components/LineInput.js';
import { Para } from '../../components/Para.js';

export interface PortAsked {
  /** What Enter alone takes: the port wanted when it is free, else the first free one after it. */
  suggested: number;
  /** The suggestion is the port the app's .env points at. */
  fromEnv?: boolean;
  /** Why the port wanted or typed cannot be used, with the way out. */
  problem?: string;
  /** Text that is not a port, kept to be mended. */
  typed?: string;
}

/** Step 2's local server: which port, with a free one offered and a taken one said in words. */
export function PortQuestion({ asked, onSubmit }: { asked: PortAsked; onSubmit: (typed: string) => void }) {
  const [edited, setEdited] = useState(false);
  const why = asked.fromEnv ? ', the port your .env points at' : '';
  return (
    <Box flexDirection="column">
      <Para bold>Step 2 · A local Chroma server on this machine (its data in ./chroma-data)</Para>
      {asked.problem && !edited ? (
        <Para mark="! " color="yellow">
          {asked.problem}
        </Para>
      ) : null}
      <Para>
        Port (Enter for {asked.suggested}
        {why}; Esc goes back):
      </Para>
      <LineInput defaultValue={asked.typed} placeholder={String(asked.suggested)} onSubmit={onSubmit} onChange={() => setEdited(true)} />
    </Box>
  );
}
