import { Text } from 'ink';
import { bar, count, duration } from '../format.js';

export interface ProgressInfo {
  label: string;
  done: number;
  total: number;
  /** records per second, already computed from the injected clock */
  rate: number;
  retries?: number;
}

export function Progress({ label, done, total, rate, retries }: ProgressInfo) {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = rate > 0 && done < total ? ` · ETA ${duration((total - done) / rate)}` : '';
  return (
    <Text wrap="truncate-end">
      {label.padEnd(18).slice(0, 18)} <Text color="cyan">{bar(done, total)}</Text> {String(percent).padStart(3)}% {count(done)}/{count(total)} · {count(Math.round(rate))}/s{eta}
      {retries ? <Text color="yellow"> · {retries} retries</Text> : null}
    </Text>
  );
}
