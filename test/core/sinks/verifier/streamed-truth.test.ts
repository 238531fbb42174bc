import { describe, expect, it } from 'vitest';
import { TrueNeighbours } from '../../../../src/core/sinks/verifier/recall.js';
import { StreamedTruth } from '../../../../src/core/sinks/verifier/streamed-truth.js';
import { makeRecords } from '../../../helpers/fixtures.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

function offerInPages(truth: StreamedTruth, records: BackupRecord[], page: number): void {
  for (let from = 0; from < records.length; from += page) truth.offer(records.slice(from, from + page));
}

/** The truth a pass over the whole file finds for the same samples. */
function fromAll(samples: BackupRecord[], records: BackupRecord[], space: 'l2' | 'cosine'): TrueNeighbours {
  const truth = new TrueNeighbours(samples, space, 10);
  truth.add(records);
  return truth;
}

describe('the recall truth found as a copy streams its records', () => {
  const records = makeRecords(700, { dim: 8, nullDocEvery: 5 });

  it('finds the neighbours a pass over all the records finds, the samples spread over the first window', () => {
    const streamed = new StreamedTruth(20, 'l2', () => true, 300);
    offerInPages(streamed, records, 70);
    streamed.end(records.length);
    const samples = streamed.samples;
    expect(samples).toHaveLength(20);
    // Spread over the first 350 records (the pages offered until the window of 300 was full).
    expect(samples.map((sample) => records.indexOf(sample))).toEqual(Array.from({ length: 20 }, (_, index) => index * 17));
    const whole = streamed.whole('l2');
    const all = fromAll(samples, records, 'l2');
    expect(whole).not.toBeNull();
    samples.forEach((_, index) => expect(whole!.neighbours(index)).toEqual(all.neighbours(index)));
    expect(whole!.effectiveK).toBe(all.effectiveK);
  });

  it('a collection smaller than the window takes its samples from all of it', () => {
    const streamed = new StreamedTruth(20, 'l2', () => true, 5_000);
    offerInPages(streamed, records, 100);
    streamed.end(records.length);
    expect(streamed.samples.map((sample) => records.indexOf(sample))).toEqual(Array.from({ length: 20 }, (_, index) => index * 35));
  });

  it('says nothing when the file holds other records than streamed by, or the target is in another space', () => {
    const repeated = new StreamedTruth(20, 'l2', () => true, 300);
    offerInPages(repeated, [...records, records[3]!], 100);
    repeated.end(records.length);
    expect(repeated.whole('l2')).toBeNull();
    expect(repeated.samples).toHaveLength(20); // the file pass measures with the same samples

    const otherSpace = new StreamedTruth(20, 'l2', () => true, 300);
    offerInPages(otherSpace, records, 100);
    otherSpace.end(records.length);
    expect(otherSpace.whole('cosine')).toBeNull();
  });

  it('never samples a record the target refuses, nor one without an embedding', () => {
    const mixed = records.map((record, index) => (index % 4 === 2 ? { ...record, embedding: null } : record));
    const streamed = new StreamedTruth(20, 'l2', (record) => record.id !== mixed[0]!.id, 300);
    offerInPages(streamed, mixed, 100);
    streamed.end(mixed.length);
    expect(streamed.samples.length).toBeGreaterThan(10);
    for (const sample of streamed.samples) {
      expect(sample.embedding).not.toBeNull();
      expect(sample.id).not.toBe(mixed[0]!.id);
    }
  });
});
