/**
 * Collection metadata is typed like record metadata (Chroma keeps 2.0 a float, 9007199254740993
 * exact): export → backup → import under another name keeps both, against a real server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { parseTyped } from '../../src/core/model/typed-json.js';
import { WholeFloat } from '../../src/core/model/values.js';
import { COLLECTIONS_PATH, rawChroma, useChromaServer } from '../helpers/chroma.js';

const chroma = useChromaServer();
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-collmeta-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = COLLECTIONS_PATH;
const raw = (method: string, path: string, body?: string) => rawChroma(chroma.url, method, path, body);

const metadataOf = async (name: string) => (parseTyped(await raw('GET', `${base}/${name}`)) as { metadata: unknown }).metadata;

it('collection metadata keeps 2.0 a float and a big int exact through export and import', async () => {
  // Raw text: the only way to send 2.0 as a float.
  await raw('POST', base, '{"name":"meta_source","metadata":{"version":2.0,"big":9007199254740993,"n":2,"team":"x"}}');
  const expected = { version: new WholeFloat(2), big: 9007199254740993n, n: 2, team: 'x' };
  expect(await metadataOf('meta_source')).toEqual(expected);

  const source = endpoint({ url: chroma.url });
  const out = join(dir, 'meta.jsonl');
  const statePath = join(dir, 'state.json');
  await exportCollections({ source, out, collections: ['meta_source'], statePath });
  const collectionLine = (await readFile(out, 'utf8')).split('\n')[1]!;
  expect(collectionLine).toContain('"version":2.0');
  expect(collectionLine).toContain('"big":9007199254740993');
  expect((await inspectBackup(out)).collections[0]?.metadata).toEqual(expected);

  await importBackup({ input: out, target: source, collections: ['meta_source'], renameTo: 'meta_copy', ifExists: 'abort', statePath });
  expect(await metadataOf('meta_copy')).toEqual(expected);
  const verified = await verifyBackup({ input: out, target: source, collections: ['meta_source'], renameTo: 'meta_copy' });
  expect(verified.collections[0]?.settings?.differences).toEqual([]);

  // Someone changes the copy's metadata: verify names each key, type for type.
  const { id } = JSON.parse(await raw('GET', `${base}/meta_copy`)) as { id: string };
  await raw('PUT', `${base}/${id}`, '{"new_metadata":{"version":2,"big":9007199254740993,"n":2,"owner":"y"}}');
  const changed = await verifyBackup({ input: out, target: source, collections: ['meta_source'], renameTo: 'meta_copy' });
  expect(changed.ok).toBe(false);
  const byField = (a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field);
  expect(changed.collections[0]?.settings?.differences.sort(byField)).toEqual([
    { field: 'metadata.owner', expected: 'absent', actual: 'string "y"' },
    { field: 'metadata.team', expected: 'string "x"', actual: 'absent' },
    { field: 'metadata.version', expected: 'float 2.0', actual: 'int 2' },
  ]);
});
