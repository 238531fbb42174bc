import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('a server that was never reached is not a blip', () => {
  it('import and export give up after two quick tries, with the fix, not after six', async () => {
    const port = await freePort(); // nothing listens there
    const dir = await mkdtemp(join(tmpdir(), 'cm-first-contact-'));
    const input = join(dir, 'b.json');
    await writeFile(input, JSON.stringify({ collection_name: 'c', records: [{ id: 'a', document: 'x', metadata: null, embedding: [0.1, 0.2] }] }));
    const exported = await runCli(['export', '--out', join(dir, 'never.jsonl'), '--source-url', `http://127.0.0.1:${port}`]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('Nothing accepts connections');
    expect(exported.stderr.match(/retry \d/g)?.length ?? 0).toBeLessThanOrEqual(1);

    const imported = await runCli(['import', '--input', input, '--space', 'l2', '--url', `http://127.0.0.1:${port}`, '--json']);
    expect(imported.code).toBe(1);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: false, error: { code: 'CONNECTION', fix: expect.stringContaining('serve') } });
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
