import { describe, expect, it } from 'vitest';
import { endpoint } from '../../../src/core/chroma/endpoint.js';
import { explainRequestError } from '../../../src/core/chroma/explain.js';
import { ChromaRequestError } from '../../../src/core/chroma/http.js';
import type { MigrateError } from '../../../src/core/util/errors.js';

const target = endpoint({ url: 'http://localhost:8000' });
const hint = (error: ChromaRequestError) => (explainRequestError(error, target) as MigrateError).fix ?? '';

describe('the fix a refusal is explained with', () => {
  it('a 400 on a read blames the server or a proxy, not the records; on a write, the records', () => {
    expect(hint(new ChromaRequestError('bad-request', 'GET /api/v2/pre-flight-checks → 400: Invalid token', 400))).toContain('A request that sends no data was refused');
    expect(hint(new ChromaRequestError('bad-request', 'POST /api/v2/…/upsert → 400: bad key', 400))).toContain("breaks one of Chroma's rules");
  });

  it('a 404 also names a collection deleted meanwhile by another program', () => {
    expect(hint(new ChromaRequestError('not-found', 'GET /api/v2/…/count → 404: Collection does not exist', 404))).toContain('deleted the collection meanwhile');
  });

  it('a refused connection to the target says how to start one; to the source, never (a new server would be empty)', () => {
    const refused = () => new ChromaRequestError('network', 'connect ECONNREFUSED', null, null, { problem: 'refused', code: 'ECONNREFUSED' });
    expect(hint(refused())).toContain('chroma-migrate serve --port 8000');
    const source = endpoint({ url: 'http://localhost:8000', source: true });
    const fix = (explainRequestError(refused(), source) as MigrateError).fix ?? '';
    expect(fix).not.toContain('chroma-migrate serve');
    expect(fix).toContain('the server holding your data (the source) is not running');
  });
});
