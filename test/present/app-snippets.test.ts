import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JS_CLIENT_SHORT, jsClient, pythonClient } from '../../src/present/app-snippets.js';

const python = spawnSync('python3', ['--version']).status === 0;
const PLACED = { tenant: 'acme', database: 'prod_docs' };
const every = [pythonClient(), jsClient(), JS_CLIENT_SHORT, pythonClient(PLACED), jsClient(PLACED)];

describe('the client code for the app (Done screen and README)', () => {
  it('the README shows exactly the code the wizard shows for the default tenant and database', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`python\n${pythonClient()}\n\`\`\``);
    expect(readme).toContain(`\`\`\`js\n${jsClient()}\n\`\`\``);
    expect(readme).toContain(`\`\`\`js\n${JS_CLIENT_SHORT}\n\`\`\``);
    // Named as the default ones, they are the same code.
    expect(pythonClient({ tenant: 'default_tenant', database: 'default_database' })).toBe(pythonClient());
    expect(jsClient({ tenant: 'default_tenant', database: 'default_database' })).toBe(jsClient());
  });

  it('data in another tenant or database: the code reads CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE, each only when needed', () => {
    expect(pythonClient(PLACED)).toContain('        tenant=os.getenv("CHROMA_HOST_TENANT") or "default_tenant",\n        database=os.getenv("CHROMA_HOST_DATABASE") or "default_database",\n    )');
    expect(jsClient(PLACED)).toContain("      tenant: env.CHROMA_HOST_TENANT || 'default_tenant',\n      database: env.CHROMA_HOST_DATABASE || 'default_database',\n    })");
    expect(pythonClient({ database: 'prod_docs' })).not.toContain('CHROMA_HOST_TENANT');
    expect(jsClient({ tenant: 'acme' })).not.toContain('CHROMA_HOST_DATABASE');
    // The Cloud branch keeps the Cloud keys.
    expect(pythonClient(PLACED)).toContain('tenant=os.environ["CHROMA_TENANT"]');
  });

  it('every line fits the wizard\'s 80 columns (a wrapped line would break a copy)', () => {
    for (const line of every.join('\n').split('\n')) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it.skipIf(!python)('the Python code compiles', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-snippet-'));
    try {
      for (const [name, code] of [['client.py', pythonClient()], ['placed.py', pythonClient(PLACED)]] as const) {
        await writeFile(join(dir, name), `${code}\n`);
        const result = spawnSync('python3', ['-m', 'py_compile', join(dir, name)], { encoding: 'utf8' });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
