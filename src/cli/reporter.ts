import { count } from '../core/util/format.js';
import type { ProgressEvent, ProgressListener } from '../core/util/progress.js';
import type { CommandIo } from './io.js';

export interface Reporter {
  listener: ProgressListener;
  /** Clears the live line so the final summary starts clean. */
  close(): void;
}

/** Rate and ETA from the records done since a collection started (not since a resume). */
class Meter {
  private startAt: number;
  private startDone: number;
  constructor(readonly now: () => number, done: number) {
    this.startAt = now();
    this.startDone = done;
  }
  rate(done: number): number {
    const seconds = (this.now() - this.startAt) / 1000;
    return seconds > 0 ? (done - this.startDone) / seconds : 0;
  }
  eta(done: number, total: number): string {
    const rate = this.rate(done);
    if (rate <= 0 || done >= total) return '';
    return formatDuration((total - done) / rate);
  }
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The one number format (core/format.ts), under the name the commands use. */
export const number = count;

function bar(done: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/**
 * Progress on stderr: a live bar redrawn in place in a terminal; elsewhere (pipes, CI, logs)
 * a plain line every few seconds and at each milestone, with no cursor codes.
 */
export function createReporter(io: CommandIo, options: { live: boolean; now?: () => number; everyMs?: number } = { live: false }): Reporter {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 3_000;
  const out = io.stderr;
  const meters = new Map<string, Meter>();
  let retries = 0;
  let lastPlain = 0;
  let liveShown = false;

  const line = (event: Extract<ProgressEvent, { type: 'batch' }>) => {
    const meter = meters.get(event.collection);
    const rate = meter ? Math.round(meter.rate(event.done)) : 0;
    const eta = meter?.eta(event.done, event.total);
    const percent = event.total > 0 ? Math.floor((event.done / event.total) * 100) : 100;
    const tail = `${number(event.done)}/${number(event.total)} ${percent}% · ${number(rate)}/s${eta ? ` · ETA ${eta}` : ''}${retries ? ` · ${retries} retries` : ''}`;
    return { tail, percent };
  };
  const clearLive = () => {
    if (liveShown) out.write('\r\x1b[2K');
    liveShown = false;
  };
  const print = (text: string) => {
    clearLive();
    out.write(`${text}\n`);
  };

  const listener: ProgressListener = (event) => {
    switch (event.type) {
      case 'phase':
        print(event.message);
        return;
      case 'warning':
        print(`! ${event.message}`);
        return;
      case 'collection-start':
        meters.set(event.collection, new Meter(now, event.done));
        retries = 0;
        print(`${event.collection}: ${event.resumed ? `resuming at ${number(event.done)} of ` : ''}${number(event.total)} records`);
        lastPlain = now();
        return;
      case 'retry':
        retries++;
        if (!options.live) print(`  retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s: ${event.reason}`);
        return;
      case 'batch': {
        const { tail } = line(event);
        if (options.live) {
          const width = Math.max(10, Math.min(30, (out.columns ?? 80) - tail.length - event.collection.length - 6));
          out.write(`\r\x1b[2K${event.collection} ${bar(event.done, event.total, width)} ${tail}`);
          liveShown = true;
        } else if (now() - lastPlain >= everyMs) {
          lastPlain = now();
          print(`  ${event.collection}: ${tail}`);
        }
        return;
      }
      case 'collection-done':
        print(`${event.collection}: done (${number(event.done)} records)`);
        return;
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  };
  return { listener, close: clearLive };
}
