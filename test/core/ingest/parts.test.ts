import { describe, expect, it } from 'vitest';
import { endpoint } from '../../../src/core/chroma/endpoint.js';
import { childEnv } from '../../../src/core/ingest/child-env.js';
import { describeCount, pairCounts } from '../../../src/core/ingest/counts.js';
import { LineSplitter, LineTail } from '../../../src/core/ingest/lines.js';

// Empty, not absent: a script that loads .env with dotenv then cannot pick the key up from it.
const NO_CLOUD = { CHROMA_API_KEY: '', CHROMA_TENANT: '', CHROMA_DATABASE: '', CHROMA_CLOUD_HOST: '' };

describe('the ingestion command\'s environment', () => {
  it('carries the target as CHROMA_* and no Cloud key, whatever the shell had', () => {
    const env = childEnv(
      { PATH: '/usr/bin', CHROMA_API_KEY: 'ck-1', CHROMA_TENANT: 't', CHROMA_DATABASE: 'd', CHROMA_HOST: 'stale.example.com', CHROMA_AUTH_TOKEN: 'stale', UNSET: undefined },
      endpoint({ url: 'https://chroma.up.railway.app:443', token: 'tok-123456789', tokenHeader: 'x-chroma-token' }),
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      CHROMA_HOST: 'chroma.up.railway.app',
      CHROMA_PORT: '443',
      CHROMA_SSL: 'true',
      CHROMA_AUTH_TOKEN: 'tok-123456789',
      CHROMA_AUTH_TOKEN_TRANSPORT_HEADER: 'X-Chroma-Token',
      CHROMA_HOST_TENANT: 'default_tenant',
      CHROMA_HOST_DATABASE: 'default_database',
      ...NO_CLOUD,
      PYTHONUNBUFFERED: '1',
    });
  });

  it('a target without a token leaves no token behind', () => {
    const env = childEnv({ CHROMA_AUTH_TOKEN: 'from-shell', PYTHONUNBUFFERED: '0' }, endpoint({ url: 'http://localhost:8000' }));
    expect(env).toEqual({ CHROMA_HOST: 'localhost', CHROMA_PORT: '8000', CHROMA_SSL: 'false', CHROMA_HOST_TENANT: 'default_tenant', CHROMA_HOST_DATABASE: 'default_database', ...NO_CLOUD, PYTHONUNBUFFERED: '0' });
  });
});

describe('counts before and after', () => {
  it('reads like the guide', () => {
    const [grown, removed, unchanged, created] = pairCounts(
      undefined,
      new Map([['cro_audit_issues', 1177], ['old', 5], ['same', 10]]),
      new Map([['cro_audit_issues', 2054], ['new_audits', 877], ['same', 10]]),
    );
    expect(describeCount(grown!)).toBe('cro_audit_issues: 1,177 → 2,054 (+877)');
    expect(describeCount(removed!)).toBe('old: 5 → gone');
    expect(describeCount(unchanged!)).toBe('same: 10 → 10 (+0)');
    expect(describeCount(created!)).toBe('new_audits: new → 877 (+877)');
  });

  it('says when the after count is unknown', () => {
    const [entry] = pairCounts(['cro_audit_issues'], new Map([['cro_audit_issues', 1177]]), null);
    expect(entry).toEqual({ collection: 'cro_audit_issues', before: 1177, after: null, change: null });
    expect(describeCount(entry!, false)).toBe('cro_audit_issues: 1,177 → (not counted)');
  });
});

describe('the command\'s output, line by line', () => {
  it('splits on \\n, \\r\\n and the \\r of progress bars, and keeps UTF-8 split across chunks whole', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const euro = Buffer.from('€ done\n');
    splitter.push('one\r\ntwo\n 10%\r 20%\r');
    splitter.push(euro.subarray(0, 1));
    splitter.push(euro.subarray(1));
    splitter.push('last, no newline');
    splitter.end();
    expect(lines).toEqual(['one', 'two', ' 10%', ' 20%', '€ done', 'last, no newline']);
  });

  it('keeps the last lines for the live view', () => {
    const tail = new LineTail(3);
    for (const line of ['a', 'b', 'c', 'd']) tail.add(line);
    expect(tail.current).toEqual(['b', 'c', 'd']);
  });
});
