import { describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../../src/core/model/record.js';
import type { TargetRules } from '../../../../src/core/sinks/target/refusals.js';
import { credibleRejects, refusingAddress, tooLargeElsewhere } from '../../../../src/core/sinks/target/rejects-trust.js';
import type { RefusedRecord } from '../../../../src/core/sinks/target/rejects.js';

const record = (id: string): BackupRecord => ({ id, document: 'text', metadata: { ok: 1 }, embedding: Float32Array.from([0.5, -0]), uri: null });
const strict: TargetRules = { strictKeys: true, embeddingFunctionTypes: [], cloud: false };
const PROXY = 'http://127.0.0.1:9000';
const SERVER = 'http://localhost:8000';
const plain = (id: string, why: string[]): RefusedRecord => ({ collection: 'docs', id, problems: why.map((text) => ({ why: text })), record: record(id) });
const BIG = 'x'.repeat(1_200_000);
/** A large record refused alone as too large, by `by` (in the field), or by none named. */
const large = (id: string, by?: string): RefusedRecord => ({
  ...plain(id, ['about 1.2 MB as a request; the target refused it even alone (413 Payload too large)']),
  ...(by === undefined ? {} : { refusedBy: by }),
  record: { ...record(id), document: BIG },
});
/** A line as versions before the field wrote it: the address only in the reason's words. */
const older = (id: string, url: string): RefusedRecord => ({
  ...plain(id, [`about 1.2 MB as a request; ${url} refused it even alone (413 Payload too large ("POST /api/v2/… → 413")); a single Chroma server takes requests of up to about 36 MB, and a proxy in front of it may take less`]),
  record: { ...record(id), document: BIG },
});
const byRules: RefusedRecord = { collection: 'docs', id: 'k', problems: [{ key: '$a', why: 'a "$" key' }], record: { ...record('k'), metadata: { $a: 1 } } };
const ids = (lines: RefusedRecord[]) => lines.map((line) => line.id);

describe('which lines of a rejects file may excuse their record', () => {
  it("keeps a record the target's rules refuse (wherever it was refused), and a large one refused alone by this very address", () => {
    expect(ids(credibleRejects([{ ...byRules, refusedBy: PROXY }, large('big', SERVER)], strict, SERVER))).toEqual(['k', 'big']);
  });

  it('drops a line with no reason, a record the target would take, and a small record "too large alone"', () => {
    expect(credibleRejects([plain('none', []), plain('takes', ['a "$" key']), { ...plain('small', ['refused it even alone (413 Payload too large)']), refusedBy: SERVER }], strict, SERVER)).toEqual([]);
    // A "$" key is refused only where the target's keys are strict.
    expect(credibleRejects([byRules], { ...strict, strictKeys: false }, SERVER)).toEqual([]);
  });

  it('drops a 413 of another address, and one that names no address', () => {
    expect(credibleRejects([large('proxy', PROXY), large('unnamed')], strict, SERVER)).toEqual([]);
    expect(ids(credibleRejects([large('proxy', PROXY)], strict, PROXY))).toEqual(['proxy']);
  });

  it('compares addresses as requests reach them: default port, case of scheme and host, trailing slash, no user:password', () => {
    expect(ids(credibleRejects([large('a', 'https://chroma.example.com:443')], strict, 'HTTPS://Chroma.Example.com/'))).toEqual(['a']);
    expect(ids(credibleRejects([large('a', 'http://h:8000')], strict, 'http://user:secret@h:8000'))).toEqual(['a']);
    expect(credibleRejects([large('a', 'http://h:8000')], strict, 'http://h:8001')).toEqual([]);
    expect(credibleRejects([large('a', 'http://h:8000/edge')], strict, 'http://h:8000')).toEqual([]);
  });

  it("reads an older line's address from its reason, and believes it only for that address", () => {
    expect(refusingAddress(older('old', 'http://127.0.0.1:9000'))).toBe(PROXY);
    expect(ids(credibleRejects([older('old', PROXY)], strict, PROXY))).toEqual(['old']);
    expect(credibleRejects([older('old', PROXY)], strict, SERVER)).toEqual([]);
    // A reason in any other form names no address.
    expect(refusingAddress(plain('x', ['refused by http://127.0.0.1:9000 (413)']))).toBeNull();
  });
});

describe('the records another address refused as too large', () => {
  it('are the large 413 lines of a named address other than this one that the rules do not refuse', () => {
    const lines = [large('proxy', PROXY), older('old', PROXY), large('here', SERVER), large('unnamed'), { ...byRules, refusedBy: PROXY }, { ...plain('small', ['(413)']), refusedBy: PROXY }];
    expect(ids(tooLargeElsewhere(lines, strict, SERVER))).toEqual(['proxy', 'old']);
    expect(ids(tooLargeElsewhere(lines, strict, PROXY))).toEqual(['here']);
  });
});
