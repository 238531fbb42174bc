import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JS_CLIENT, JS_CLIENT_SHORT, PYTHON_CLIENT } from '../../src/present/app-snippets.js';

const python = spawnSync('python3', ['--version']).status === 0;

describe('the client code for the app (Done screen and README)', () => {
  it('the README shows exactly the code the wizard shows', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`python\n${PYTHON_CLIENT}\n\`\`\``);
    expect(readme).toContain(`\`\`\`js\n${JS_CLIENT}\n\`\`\``);
    expect(readme).toContain(`\`\`\`js\n${JS_CLIENT_SHORT}\n\`\`\``);
  });

  it('every line fits the wizard\'s 80 columns (a wrapped line would break a copy)', () => {
    for (const line of `${PYTHON_CLIENT}\n${JS_CLIENT}\n${JS_CLIENT_SHORT}`.split('\n')) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it.skipIf(!python)('the Python code compiles', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-snippet-'));
    try {
      await writeFile(join(dir, 'client.py'), `${PYTHON_CLIENT}\n`);
      const result = spawnSync('python3', ['-m', 'py_compile', join(dir, 'client.py')], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
