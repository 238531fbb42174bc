import { Box } from 'ink';
import { Select } from './Select.js';
import { ErrorBox } from './ErrorBox.js';

/** A step's failure: the error in words with its fix, then what the user can do about it. */
export function FailureChoices({ error, options, onChange }: { error: unknown; options: Array<{ label: string; value: string }>; onChange: (value: string) => void }) {
  return (
    <Box flexDirection="column">
      <ErrorBox error={error} />
      <Select options={options} onChange={onChange} />
    </Box>
  );
}
