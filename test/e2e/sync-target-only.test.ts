/**
 * sync --all against a target that holds what the source does not: a collection the source
 * deleted (named, with its count, never deleted: that is the user's choice), and records the
 * source deleted while --prune is not given. Neither may be hidden behind "the target matches
 * the source".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
const MATCHES = 'The target matches the source';

async function collection(url: string, name: string, count: number): Promise<void> {
  const api = new ChromaApi(endpoint({ url }));
  await api.upsert((await api.createCollection({ name, metadata: null, space: 'l2' })).id, makeRecords(count, { dim: 4, prefix: name }), { base64: true });
}

beforeAll(async () => {
  // Both sides hold docs (20) and faq (5); the target also holds ip-qwen (12), deleted at the source.
  await Promise.all([collection(source.url, 'docs', 20), collection(source.url, 'faq', 5)]);
  await Promise.all([collection(target.url, 'docs', 20), collection(target.url, 'faq', 5), collection(target.url, 'ip-qwen', 12)]);
}, 300_000);

const names = async (url: string) => (await new ChromaApi(endpoint({ url })).allCollections()).map((info) => info.name).sort();

describe('sync --all with a collection only on the target', () => {
  const named = 'On the target only: ip-qwen (12 records) — not touched; delete it yourself if it should go';

  it('a dry run names it and does not say the target matches the source', async () => {
    const run = await runCli(['sync', '--all', '--source-url', source.url, '--url', target.url, '--prune', '--yes', '--dry-run']);
    expect(run.stderr).toContain(named);
    expect(run.stderr).not.toContain(MATCHES);
    expect(run.stderr).toContain('Dry run: nothing was written. A sync has nothing to send, but the target also holds 1 collection the source does not have (named above; sync never deletes one).');
    expect(run.code).toBe(0);
  }, 120_000);

  it('sync --prune names it, leaves it, and --json carries it', async () => {
    const run = await runCli(['sync', '--all', '--source-url', source.url, '--url', target.url, '--prune', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(named);
    expect(await names(target.url)).toEqual(['docs', 'faq', 'ip-qwen']);
    const json = await runCli(['sync', '--all', '--source-url', source.url, '--url', target.url, '--json']);
    expect(JSON.parse(json.stdout).targetOnly).toEqual([{ collection: 'ip-qwen', count: 12 }]);
  }, 120_000);

  it('--collections names only what it was asked about', async () => {
    const run = await runCli(['sync', '--collections', 'docs', '--source-url', source.url, '--url', target.url, '--dry-run']);
    expect(run.stderr).not.toContain('ip-qwen');
    expect(run.stderr).toContain(MATCHES);
  }, 120_000);
});

describe('records the source deleted, without --prune', () => {
  it('a dry run counts them as kept, not as a target that matches', async () => {
    const api = new ChromaApi(endpoint({ url: source.url }));
    await api.deleteRecords((await api.findCollection('faq'))!.id, ['faq-000000']);
    const run = await runCli(['sync', '--collections', 'docs,faq', '--source-url', source.url, '--url', target.url, '--dry-run']);
    expect(run.stderr).toMatch(/removed\s+1: faq-000000/);
    expect(run.stderr).not.toContain(MATCHES);
    expect(run.stderr).toContain('Dry run: nothing was written. A sync has nothing to send, but the target also holds 1 record the source does not have (sync --prune deletes them).');
    expect(run.code).toBe(0);
  }, 120_000);
});
