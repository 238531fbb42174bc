/**
 * The line reporter's view of a run of several collections (present/whole-progress.ts): on a
 * terminal one line redrawn in place, with the whole and the collections in flight; elsewhere a
 * line when a collection finishes, and the whole every few seconds. A single collection is left
 * to the per-collection bar.
 */
import { count } from '../../core/util/format.js';
import type { ProgressEvent } from '../../core/util/progress.js';
import { describeWhole, WholeProgress, type WholeView } from '../../present/whole-progress.js';

export interface WholeOutput {
  live: boolean;
  now: () => number;
  everyMs: number;
  columns: () => number;
  /** A line of its own (clears the live line first). */
  print(text: string): void;
  /** The live line, redrawn in place. */
  draw(text: string): void;
}

/** In-flight names shown on the live line before "+N more". */
const NAMED = 3;

function describeInFlight(view: WholeView, named: number): string {
  if (view.inFlight.length === 0) return '';
  const shown = view.inFlight.slice(0, named).map((entry) => `${entry.collection} ${count(entry.done)}/${count(entry.total)}`);
  const more = view.inFlight.length - shown.length;
  return ` · now: ${shown.join(', ')}${more > 0 ? `, +${count(more)} more` : ''}`;
}

/**
 * Takes the events a whole view replaces, and says so (true); leaves the rest (warnings,
 * retries, a phase between collections, and every event of a single-collection run) to the caller.
 */
export function wholeReporter(output: WholeOutput): (event: ProgressEvent) => boolean {
  const whole = new WholeProgress(output.now);
  let lastPlain = output.now();
  const live = () => {
    const view = whole.view();
    // Cut to the terminal's width: a wrapped line cannot be redrawn in place.
    output.draw(`${describeWhole(view)}${describeInFlight(view, NAMED)}`.slice(0, Math.max(10, output.columns() - 1)));
  };
  const plain = (force: boolean) => {
    if (!force && output.now() - lastPlain < output.everyMs) return;
    lastPlain = output.now();
    const view = whole.view();
    const names = view.inFlight.map((entry) => entry.collection).join(', ');
    output.print(`  ${describeWhole(view)}${names ? ` · in flight: ${names}` : ''}`);
  };
  return (event) => {
    whole.take(event);
    if (event.type === 'plan' || event.type === 'counted') return true;
    if (!whole.several) return false;
    switch (event.type) {
      case 'collection-start':
      case 'batch':
        if (output.live) live();
        else plain(false);
        return true;
      case 'collection-done':
        if (output.live) live();
        else output.print(`${event.collection}: done (${count(event.done)} records) · ${describeWhole(whole.view())}`);
        return true;
      case 'phase':
        // Each collection's own steps ("Importing …", "Checking …") while others move: the whole says more.
        return whole.inFlightCount > 0;
      default:
        return false;
    }
  };
}
