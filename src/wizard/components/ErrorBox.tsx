import { Box, Text } from 'ink';
import { isMigrateError } from '../../core/errors.js';

/**
 * An error in words with its fix; never a stack trace. Long lines wrap with a hanging indent,
 * under the text rather than under the ✗ and →, so a paragraph still reads as one.
 */
export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const fix = isMigrateError(error) ? error.fix : undefined;
  return (
    <Box flexDirection="column">
      <Hanging mark="✗ " color="red" text={message} />
      {fix ? <Hanging mark="  → " color="yellow" text={fix} /> : null}
    </Box>
  );
}

function Hanging({ mark, color, text }: { mark: string; color: string; text: string }) {
  return (
    <Box>
      <Text color={color}>{mark}</Text>
      <Box flexShrink={1}>
        <Text color={color}>{text}</Text>
      </Box>
    </Box>
  );
}
