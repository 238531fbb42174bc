import { count } from '../core/util/format.js';
import type { ProgressEvent, ProgressListener } from '../core/util/progress.js';
import type { CommandIo } from './io.js';
import { formatDuration } from '../present/whole-progress.js';
import { wholeReporter } from './reporter/whole.js';

type RetryEvent = Extract<ProgressEvent, { type: 'retry' }>;

/** Why a request failed, in one short line: the error's first line, at most 160 characters. */
function shortReason(reason: string): string {
  const first = reason.split('\n')[0] ?? '';
  return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** "retry 2 of 6 in 2 s (connect ECONNREFUSED 127.0.0.1:8009)" */
function describeRetry(event: RetryEvent): string {
  return `retry ${event.attempt}${event.of ? ` of ${event.of}` : ''} in ${seconds(event.delayMs)} (${shortReason(event.reason)})`;
}

/**
 * Retries off a terminal (pipes, CI, logs), where a line cannot be redrawn: a burst of retries
 * for one reason (several requests in flight all refused, six attempts of one request) prints
 * its first retry, then, when anything else is printed or the run ends, one line counting the
 * rest. A new reason starts a new burst.
 */
function retryBursts(write: (text: string) => void): { add(event: RetryEvent): void; end(): void } {
  let burst: { reason: string; more: number; last: RetryEvent } | null = null;
  const end = () => {
    if (burst && burst.more > 0) {
      const { more, last } = burst;
      write(`  … and ${count(more)} more ${more === 1 ? 'retry' : 'retries'} for the same reason (the last was ${last.attempt}${last.of ? ` of ${last.of}` : ''})`);
    }
    burst = null;
  };
  return {
    add(event) {
      const reason = shortReason(event.reason);
      if (burst && burst.reason === reason) {
        burst.more++;
        burst.last = event;
        return;
      }
      end();
      write(`  ${event.collection ? `${event.collection}: ` : ''}${describeRetry(event)}`);
      burst = { reason, more: 0, last: event };
    },
    end,
  };
}

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

/** The one number format (core/format.ts), under the name the commands use. */
export const number = count;

function bar(done: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** "600/1,177 50% · 90/s · ETA 6s": one collection's numbers after its bar. */
function batchTail(event: Extract<ProgressEvent, { type: 'batch' }>, meter: Meter | undefined, retries: number): string {
  const rate = meter ? Math.round(meter.rate(event.done)) : 0;
  const eta = meter?.eta(event.done, event.total);
  const percent = event.total > 0 ? Math.floor((event.done / event.total) * 100) : 100;
  return `${number(event.done)}/${number(event.total)} ${percent}% · ${number(rate)}/s${eta ? ` · ETA ${eta}` : ''}${retries ? ` · ${retries} retries` : ''}`;
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
  const bursts = retryBursts((text) => out.write(`${text}\n`));
  let retries = 0;
  let lastPlain = 0;
  let liveShown = false;

  const clearLive = () => {
    if (liveShown) out.write('\r\x1b[2K');
    liveShown = false;
  };
  const print = (text: string) => {
    clearLive();
    bursts.end();
    out.write(`${text}\n`);
  };
  const drawLive = (text: string) => {
    out.write(`\r\x1b[2K${text.slice(0, Math.max(10, (out.columns ?? 80) - 1))}`);
    liveShown = true;
  };
  const whole = wholeReporter({ live: options.live, now, everyMs, columns: () => out.columns ?? 80, print, draw: drawLive });
  const listener: ProgressListener = (event) => {
    if (whole(event) || event.type === 'plan' || event.type === 'counted') return; // several collections: the whole run (reporter/whole.ts)
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
        // A terminal: the live line says it, and the next batch draws over it. Elsewhere: a line
        // when the reason changes, and one that counts the rest of the burst (retryBursts above).
        if (options.live) drawLive(`${event.collection ? `${event.collection}: ` : ''}${describeRetry(event)}`);
        else {
          clearLive();
          bursts.add(event);
        }
        return;
      case 'batch': {
        const tail = batchTail(event, meters.get(event.collection), retries);
        if (options.live) {
          const width = Math.max(10, Math.min(30, (out.columns ?? 80) - tail.length - event.collection.length - 6));
          drawLive(`${event.collection} ${bar(event.done, event.total, width)} ${tail}`);
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
  return {
    listener,
    close: () => {
      clearLive();
      bursts.end();
    },
  };
}
