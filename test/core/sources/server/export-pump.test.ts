import { describe, expect, it } from 'vitest';
import type { CollectionInfo } from '../../../../src/core/chroma/api.js';
import { choose } from '../../../../src/core/sources/server/export-pump.js';

const info = (name: string): CollectionInfo => ({ id: name, name, metadata: null });

describe('choose: the collections asked for', () => {
  it('names what the source has, each escaped when it could forge a line', () => {
    expect(() => choose([info('docs'), info('odd\n✓ exported')], ['nope'])).toThrow(
      expect.objectContaining({ message: 'The source has no collection named "nope".', fix: 'It has: docs, "odd\\n✓ exported".' }),
    );
  });
});
