/**
 * A run of several collections as one whole: collections done of total, records done and the
 * rate over the run, an ETA, and the collections in flight. Both faces fold the same progress
 * events into it; the clock is injected, so what it says is the same in a test every time.
 */
import { count } from '../core/util/format.js';
import type { ProgressEvent } from '../core/util/progress.js';

interface InFlight {
  collection: string;
  done: number;
  total: number;
}

export interface WholeView {
  collections: { done: number; total: number };
  /** Records done (including a resumed collection's earlier part), of the total known or estimated. */
  records: { done: number; total: number | null; estimated: boolean };
  /** Records per second moved by this run, since its first collection started. */
  rate: number;
  etaSeconds: number | null;
  inFlight: InFlight[];
}

interface Tally {
  done: number;
  total: number;
  /** Where this run took it up (a resume starts past 0). */
  from: number;
  finished: boolean;
}

export class WholeProgress {
  private collections = 0;
  private doneBefore = 0;
  private records: number | null = null;
  private readonly tallies = new Map<string, Tally>();
  /** Collections counted before their turn, not yet started: their totals, known. */
  private readonly counted = new Map<string, number>();
  private startedAt: number | null = null;

  constructor(private readonly now: () => number) {}

  /** Several collections planned: worth a whole view. */
  get several(): boolean {
    return this.collections > 1;
  }

  get inFlightCount(): number {
    let count = 0;
    for (const tally of this.tallies.values()) if (!tally.finished) count++;
    return count;
  }

  take(event: ProgressEvent): void {
    switch (event.type) {
      case 'plan':
        // A new stage (a copy's verify from the file after its export): counted afresh.
        this.collections = event.collections;
        this.doneBefore = event.done;
        this.records = event.records ?? null;
        this.tallies.clear();
        this.counted.clear();
        this.startedAt = null;
        return;
      case 'counted':
        this.counted.set(event.collection, event.total);
        return;
      case 'collection-start':
        this.startedAt ??= this.now();
        this.tallies.set(event.collection, { done: event.done, total: event.total, from: event.done, finished: false });
        return;
      case 'batch': {
        const tally = this.tallies.get(event.collection);
        if (tally) Object.assign(tally, { done: event.done, total: Math.max(tally.total, event.total) });
        return;
      }
      case 'collection-done': {
        const tally = this.tallies.get(event.collection) ?? { done: 0, total: 0, from: 0, finished: false };
        this.tallies.set(event.collection, { ...tally, done: event.done, total: Math.max(event.total, event.done), finished: true });
        return;
      }
      default:
        return;
    }
  }

  view(): WholeView {
    const tallies = [...this.tallies.values()];
    const done = tallies.reduce((sum, tally) => sum + tally.done, 0);
    const moved = tallies.reduce((sum, tally) => sum + tally.done - tally.from, 0);
    const seconds = this.startedAt === null ? 0 : (this.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? moved / seconds : 0;
    const finished = tallies.filter((tally) => tally.finished).length;
    const total = this.records ?? this.estimatedRecords();
    const left = total === null ? null : Math.max(0, total - done);
    return {
      collections: { done: Math.min(this.collections, this.doneBefore + finished), total: this.collections },
      // Every collection counted (started, counted ahead, or finished before): the sum is known, not estimated.
      records: { done, total, estimated: this.records === null && this.doneBefore + this.seen().length < this.collections },
      rate,
      etaSeconds: left === null || rate <= 0 ? null : left / rate,
      inFlight: [...this.tallies].filter(([, tally]) => !tally.finished).map(([collection, tally]) => ({ collection, done: tally.done, total: tally.total })),
    };
  }

  /** The totals known so far: each collection started, and each counted ahead of its turn. */
  private seen(): number[] {
    const totals = [...this.tallies.values()].map((tally) => tally.total);
    for (const [collection, total] of this.counted) if (!this.tallies.has(collection)) totals.push(total);
    return totals;
  }

  /** Not known up front (an export counts each collection as it opens it): the collections seen so far, and as many again per collection still to come. */
  private estimatedRecords(): number | null {
    const totals = this.seen();
    if (totals.length === 0) return null;
    const known = totals.reduce((sum, total) => sum + total, 0);
    const unseen = Math.max(0, this.collections - this.doneBefore - totals.length);
    return Math.round(known + (unseen * known) / totals.length);
  }
}

/** "7s", "2m05s", "1h03m": an ETA, short enough for a progress line. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "3 of 100 collections · 1,234 of ~4,000 records · 410/s · ETA 7s" (~: estimated from the collections seen so far). */
export function describeWhole(view: WholeView): string {
  const { collections, records } = view;
  const total = records.total === null ? '' : ` of ${records.estimated ? '~' : ''}${count(records.total)}`;
  const eta = view.etaSeconds === null ? '' : ` · ETA ${formatDuration(view.etaSeconds)}`;
  return `${count(collections.done)} of ${count(collections.total)} collections · ${count(records.done)}${total} records · ${count(Math.round(view.rate))}/s${eta}`;
}
