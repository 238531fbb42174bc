import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTyped, pathFromTyped, resolveTyped } from '../../src/wizard/path-text.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-path-'));
  await mkdir(join(dir, 'dir with space'));
  await writeFile(join(dir, 'dir with space', 'x.json'), '{}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a typed path, read as a shell reads it', () => {
  it('understands ~, quotes, escaped spaces and file:// URLs', () => {
    expect(pathFromTyped('~/x.json', '/home/ana')).toBe('/home/ana/x.json');
    expect(pathFromTyped("'./dir with space/x.json'", '/h')).toBe('./dir with space/x.json');
    expect(pathFromTyped('"/tmp/a \\"b\\".json" ', '/h')).toBe('/tmp/a "b".json');
    expect(pathFromTyped('./dir\\ with\\ space/x.json', '/h')).toBe('./dir with space/x.json');
    expect(pathFromTyped('file:///tmp/dir%20with%20space/x.json', '/h')).toBe('/tmp/dir with space/x.json');
    expect(resolveTyped('x.json', '/work', '/h')).toBe('/work/x.json');
  });

  it('Tab writes what Enter reads: escaped outside quotes, inside them when quoted', () => {
    const escaped = completeTyped(dir, './dir');
    expect(escaped.value).toBe('./dir\\ with\\ space/');
    const file = completeTyped(dir, escaped.value);
    expect(file.value).toBe('./dir\\ with\\ space/x.json');
    expect(resolveTyped(file.value, dir, '/h')).toBe(join(dir, 'dir with space', 'x.json'));
    const quoted = completeTyped(dir, "'./dir with space/x");
    expect(quoted.value).toBe("'./dir with space/x.json'");
    expect(resolveTyped(quoted.value, dir, '/h')).toBe(join(dir, 'dir with space', 'x.json'));
  });
});
