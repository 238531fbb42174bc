import { describe, expect, it } from 'vitest';
import { emptyVerdict, type CollectionVerdict } from '../../../src/core/sinks/verifier/checker.js';
import { describeVerdict, recallAdvice, verdictLines } from '../../../src/present/reports/verify-summary.js';

/** A verdict against the live source: every record the source still held compared equal. */
function againstSource(changes: Partial<CollectionVerdict>): CollectionVerdict {
  return { ...emptyVerdict('docs', 1_500), against: 'source', exists: true, count: 1_500, compared: 1_500, ok: true, ...changes };
}

describe('verify against the source, when the source changed during the verify', () => {
  it('does not call the collection all equal, and says the records went at the source', () => {
    const verdict = againstSource({ compared: 1_499, ok: false, goneAtSource: { count: 1, ids: ['doc-7'] } });
    expect(describeVerdict(verdict)).toBe('1,499 of 1,500 at the source equal (1 deleted at the source while verify read it)');
    const lines = verdictLines([verdict]);
    expect(lines[0]).toBe('✗ docs: 1,499 of 1,500 at the source equal (1 deleted at the source while verify read it)');
    expect(lines).toContain('    source changed 1 listed, then gone when read: doc-7. Not a loss on the target: run verify again once the source holds still');
  });

  it('gives the sync that writes the source over records that differ', () => {
    const verdict = againstSource({ compared: 1_500, differing: 1, differingIds: [{ id: 'doc-7', fields: ['document'] }], ok: false });
    const lines = verdictLines([verdict], { sendAgain: ['chroma-migrate sync --source-url http://s --collections docs --url http://t'] });
    expect(lines).toContain("Differing records: to write the source's over them, run:");
    expect(lines).toContain('    chroma-migrate sync --source-url http://s --collections docs --url http://t');
  });

  it('says nothing of it when the source held still', () => {
    const lines = verdictLines([againstSource({})]);
    expect(lines[0]).toBe('✓ docs: 1,500 at the source, all equal');
    expect(lines.some((line) => line.includes('source changed'))).toBe(false);
  });
});

describe('a copy whose source gained records after the copy read it', () => {
  it('counts the backup whole and equal, names the records the source added, and offers no import of the backup for them', () => {
    const verdict: CollectionVerdict = { ...emptyVerdict('docs', 6_040), exists: true, count: 6_040, compared: 6_040, ok: false, addedAtSource: { count: 160, ids: ['new-1', 'new-2'] } };
    expect(describeVerdict(verdict)).toBe('6,040 of 6,040 from the backup equal (the source has 160 more, added since the copy read it)');
    const lines = verdictLines([verdict], { sendAgain: ['chroma-migrate import --input copy.jsonl.gz --if-exists append'] });
    expect(lines[0]).toBe('✗ docs: 6,040 of 6,040 from the backup equal (the source has 160 more, added since the copy read it)');
    expect(lines).toContain('    records equal  6,040 of 6,040');
    expect(lines).toContain(
      '    source changed 160 added there after the copy read it (new-1, new-2, …), so in neither the backup nor the target. Not a loss of what was read: to bring them, run chroma-migrate sync (or the same copy again) once the source holds still',
    );
    expect(lines.some((line) => line.includes('Missing records') || line.includes('more that are not in it'))).toBe(false);
  });
});

describe('low recall with records missing', () => {
  const low = { recall: 0.47, k: 10, efSearch: 100, sampled: 20, low: true } as CollectionVerdict['recall'];

  it('blames the missing records, not ef_search, and never says the records are equal', () => {
    const advice = recallAdvice(againstSource({ missing: 1_000, ok: false, recall: low }));
    expect(advice).toContain('because records are missing or differ');
    expect(advice).not.toContain('the records themselves are equal');
    expect(advice).not.toContain('ef_search');
  });

  it('with every record equal, points at ef_search', () => {
    expect(recallAdvice(againstSource({ recall: low }))).toContain('the records themselves are equal. Raise the target\'s ef_search');
  });
});

describe('a missing record another address refused as too large (413)', () => {
  const verdict = (): CollectionVerdict => ({
    ...emptyVerdict('docs', 40),
    exists: true,
    count: 39,
    compared: 40,
    missing: 2,
    missingIds: ['big-1', 'gone'],
    ok: false,
    tooLargeElsewhere: { count: 1, ids: ['big-1'], by: ['http://127.0.0.1:9000'], file: 'b.json.rejects.jsonl' },
  });
  const mend = { sendAgain: ['chroma-migrate import --input b.json --if-exists append'], rewrite: ['chroma-migrate import --input b.json --if-exists append --again'] };

  it('counts it missing and says which address refused it when it was sent', () => {
    expect(describeVerdict(verdict())).toBe('38 of 40 from the backup equal (2 missing, 1 of them refused as too large by http://127.0.0.1:9000 when sent, not by this target)');
    const lines = verdictLines([verdict()], mend);
    expect(lines).toContain('    missing        2: big-1, gone');
    expect(lines.some((line) => line.startsWith('    sent elsewhere 1 of the missing was refused as too large (413) by http://127.0.0.1:9000 when it was sent (listed in b.json.rejects.jsonl): big-1.'))).toBe(true);
    expect(lines.some((line) => line.startsWith('    refused '))).toBe(false);
  });

  it('gives the import that sends every record (--again), not the one that may leave it aside again', () => {
    const lines = verdictLines([verdict()], mend);
    expect(lines).toContain('    chroma-migrate import --input b.json --if-exists append --again');
    expect(lines).not.toContain('    chroma-migrate import --input b.json --if-exists append');
  });

  it('prints an address that is not plain text quoted, as any data from a file', () => {
    const forged = { ...verdict(), tooLargeElsewhere: { ...verdict().tooLargeElsewhere!, by: ['http://h:1\n✓ docs: all equal'] } };
    expect(verdictLines([forged], mend).some((line) => line.includes('\n'))).toBe(false);
  });
});
