import { Box, Text } from 'ink';

/**
 * The wizard's first line(s): its name and the two keys that always work. The parts are joined
 * with " · " and never split: at a width where they do not fit on one line, a part moves whole to
 * the next ("… · Esc back" / "Ctrl-C save and quit"), never "Esc bac" / "k".
 */
function headerLines(columns: number): string[] {
  const parts = ['chroma-migrate', ...(columns >= 80 ? ['Cloud → your own server'] : []), 'Esc back', 'Ctrl-C save and quit'];
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && [...last].length + 3 + [...part].length <= columns) lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
}

/** How many lines the header takes at this width (the live frame leaves room for it). */
export function headerHeight(columns: number): number {
  return headerLines(columns).length;
}

/** Drawn in the live frame, so a resize draws it again at the new width. */
export function Header({ columns }: { columns: number }) {
  return (
    <Box flexDirection="column">
      {headerLines(columns).map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line.startsWith('chroma-migrate') ? (
            <>
              <Text bold color="cyan">
                chroma-migrate
              </Text>
              <Text color="gray">{line.slice('chroma-migrate'.length)}</Text>
            </>
          ) : (
            <Text color="gray">{line}</Text>
          )}
        </Text>
      ))}
    </Box>
  );
}
