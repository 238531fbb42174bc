import { Box, Text } from 'ink';
import { bar, count, duration } from '../format.js';
import { useSpace } from '../layout/space.js';
import { Window } from './Window.js';

export interface ProgressInfo {
  label: string;
  done: number;
  total: number;
  /** records per second, already computed from the injected clock */
  rate: number;
  retries?: number;
}

/** Narrowest bar worth drawing; below it the bar goes on a line of its own. */
const MIN_BAR = 10;
const MAX_BAR = 30;

/**
 * One collection's progress, fitted to the terminal: name, bar and numbers on one line when
 * they fit, else the name on its own line above the bar. The name is never cut.
 */
function Progress({ label, done, total, rate, retries }: ProgressInfo) {
  const { columns } = useSpace();
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = rate > 0 && done < total ? ` · ETA ${duration((total - done) / rate)}` : '';
  const stats = `${String(percent).padStart(3)}% ${count(done)} of ${count(total)} · ${count(Math.round(rate))}/s${eta}${retries ? ` · ${retries} retries` : ''}`;
  const oneLine = columns - label.length - stats.length - 3;
  if (oneLine >= MIN_BAR) {
    return (
      <Text>
        {label} <Text color="cyan">{bar(done, total, Math.min(MAX_BAR, oneLine))}</Text> {stats}
      </Text>
    );
  }
  const width = Math.max(MIN_BAR, Math.min(MAX_BAR, columns - stats.length - 3));
  return (
    <Box flexDirection="column">
      <Text wrap="wrap">{label}</Text>
      <Text wrap="wrap">
        {'  '}
        <Text color="cyan">{bar(done, total, width)}</Text> {stats}
      </Text>
    </Box>
  );
}

/** Every collection's bar, or as many as fit with a count of the rest. */
export function ProgressList({ bars, size }: { bars: ProgressInfo[]; size: number }) {
  // Collections run in order: the newest bars are the ones that move.
  return <Window items={bars} size={size} from="end" noun="more collections" render={(entry) => <Progress key={entry.label} {...entry} />} />;
}
