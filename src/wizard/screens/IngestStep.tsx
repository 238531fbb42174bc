import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import type { StepProps } from '../session.js';

export function IngestStep({ dispatch }: StepProps) {
  return (
    <Box flexDirection="column">
      <Text bold>Step 7 · Complete ingestion</Text>
      <Text>Run your app's ingestion now that the quota limits are gone, e.g.</Text>
      <Text color="gray">  chroma-migrate ingest --command "python3 scripts/ingest_audits.py --local-dir sample_audits/"</Text>
      <Select options={[{ label: 'Skip for now', value: 'skip' }]} onChange={() => dispatch({ type: 'step-skipped', step: 'ingest', detail: 'skipped' })} />
    </Box>
  );
}
