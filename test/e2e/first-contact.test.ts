import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a server that was never reached is not a blip', () => {
  it('import and export give up after two quick tries, with the fix, not after six', async () => {
    const port = await closedPort();
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
