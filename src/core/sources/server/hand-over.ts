/**
 * The hand-over between an export's collections: the next one is read while the ones before it
 * land (a copy's last batches), and the checkpoint says a collection is finished only once it and
 * every one before it have landed (saves queue behind that gate, in the order asked).
 */
import type { StateStore } from '../../state/store.js';
import type { ExportCheckpoint } from '../../state/schema.js';
import { DEFAULT_PARALLEL } from '../../util/pool.js';
import type { EndCheck } from './end-check.js';
import type { CollectionRun, CollectionSink, ExportState } from './export-types.js';

/**
 * Each save writes the checkpoint as it is when asked, in the order asked, once the gate lets it:
 * a collection is finished on disk only when everything before it has landed (see handOver).
 */
export function checkpointSaver(store: StateStore, state: ExportState): CollectionRun['save'] {
  return (change, gate = state.gate) => {
    state.checkpoint = { ...state.checkpoint, ...change, updatedAt: new Date().toISOString() };
    const checkpoint = state.checkpoint;
    state.saved = state.saved
      .then(() => gate)
      .then(async () => {
        await store.update((saved) => ({
          ...saved,
          exports: [...saved.exports.filter((entry) => entry.out !== checkpoint.out), checkpoint],
        }));
      });
    // Awaited by whoever needs it on disk, and at the end; a failure stops the export at the next collection.
    state.saved.catch((error: unknown) => (state.saveFailed ??= { error }));
    return state.saved;
  };
}

/**
 * Every page is in the sink: the export goes on to the next collection while this one's last
 * batches land (a small collection is often one batch, whose round trip and ingest would
 * otherwise pass with nothing else in flight). The export gets at most `landingDepth`
 * collections ahead of the oldest one not yet landed: so many are sent again after a kill, at
 * worst. Saves asked for from now on wait for this one to land, above all the next collection's
 * first, which says this one is finished; saves go to disk in the order asked, so a collection
 * is finished on disk only once every one before it has landed too. Killed before, the
 * checkpoint still names the oldest collection not yet landed at its last saved place, and the
 * records of those after it sent so far are known by the export's run (prepare.ts).
 */
export async function handOver(state: ExportState, sink: CollectionSink, end: EndCheck, shared: boolean): Promise<void> {
  await sink.end(end.count, end.deletedIds, shared ? end.source : undefined);
  // Still the export's open sink until here: stopped with it if what follows throws (so does a
  // failed landing, awaited here).
  while (state.landing.length >= state.landingDepth) {
    await state.landing[0]!.sink.landed();
    dropLanded(state);
  }
  if (state.saveFailed) throw state.saveFailed.error;
  state.sink = null;
  const entry = { sink, landed: false };
  state.landing.push(entry);
  state.gate = sink.landed();
  state.gate.then(() => {
    entry.landed = true;
    dropLanded(state);
  }, () => undefined); // a failure reaches the saves that wait for it, and the copy
}

/** The oldest collections that have landed leave the landing list (one still landing keeps those after it). */
function dropLanded(state: ExportState): void {
  while (state.landing[0]?.landed) state.landing.shift();
}

/**
 * How far the export gets ahead of the oldest collection not yet landed. Measured raw on a
 * single node (100 collections of 200 × 384-d over +40 ms): one collection at a time 34.5 s, two
 * 21.7 s, four 17.3 s: its small upserts wait on their round trip and its commit more than on
 * its CPU, so a copy of many small ones keeps `parallel` collections writing: the current one
 * and those landing.
 */
export function landingDepthOf(parallel: number | undefined): number {
  return Math.max(1, (parallel ?? DEFAULT_PARALLEL) - 1);
}

/**
 * The collection is in the file. The last one's end is saved once it has landed; any other's
 * goes to disk with the next collection's first save (its header: one fsync of the file and of
 * the state instead of two each, which a copy of many small collections paid on every one), and
 * its places are saved as it lands until then. Killed in between, the checkpoint still names this
 * collection at its last saved place: a resume reads it again from there (the target takes the
 * same upserts again), so nothing is lost, only repeated.
 */
export async function finishCollection(
  run: CollectionRun,
  entry: ExportCheckpoint['finished'][number],
  last: boolean,
  places: { close: () => void; saved: () => Promise<void> },
): Promise<void> {
  if (!last) {
    run.state.finishing = { entry, close: places.close };
    return;
  }
  await run.state.gate;
  places.close();
  await places.saved();
  await run.save({ current: null, finished: [...run.state.checkpoint.finished, entry], bytes: await run.writer.checkpoint() });
}
