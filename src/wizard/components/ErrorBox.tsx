import { Box } from 'ink';
import { isMigrateError } from '../../core/util/errors.js';
import { Para } from './Para.js';

/**
 * An error in words with its fix; never a stack trace. Long lines wrap with a hanging indent,
 * under the text rather than under the ✗ and →, so a paragraph still reads as one.
 */
export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const fix = isMigrateError(error) ? error.fix : undefined;
  return (
    <Box flexDirection="column">
      <Para mark="✗ " color="red">
        {message}
      </Para>
      {fix ? (
        <Para mark="  → " color="yellow">
          {fix}
        </Para>
      ) : null}
    </Box>
  );
}
