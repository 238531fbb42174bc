/**
 * Opt-in memory trace of a bench child (BENCH_MEMORY_TRACE=FILE): samples process.memoryUsage()
 * every 200 ms and writes one JSON line per sample, so a peak RSS can be told apart as V8 heap,
 * Buffers (external/arrayBuffers) or heap the garbage collector has not given back.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;

export function startMemoryTrace(file: string | undefined, started: number): { stop(): void } | null {
  if (!file) return null;
  writeFileSync(file, '');
  const sample = (): void => {
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round((n / MB) * 10) / 10;
    const line = { t: Math.round(performance.now() - started), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(sample, 200);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}
