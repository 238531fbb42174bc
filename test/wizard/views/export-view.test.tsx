import { describe, expect, it } from 'vitest';
import { endpoint } from '../../../src/core/chroma/endpoint.js';
import type { BackupSummary } from '../../../src/core/model/record.js';
import { ExportView, type ExportPhase, type ExportViewProps } from '../../../src/wizard/steps/export/ExportView.js';
import { ignore, renderView, WIDTHS } from './render-view.js';

const on: ExportViewProps['on'] = { source: ignore, path: ignore, apiKey: ignore, chosen: ignore, databases: ignore, out: ignore, next: ignore, failure: ignore };
const source = endpoint({ url: 'https://api.trychroma.com:443' });
const summary: BackupSummary = {
  path: '/home/ana/chroma-backup-2026-03-01.jsonl.gz',
  format: 'python-rows',
  gzip: false,
  createdAt: null,
  typedNumbers: true,
  bytes: 2_400_000,
  collections: [
    { name: 'cro_audit_issues', metadata: null, space: null, count: 1177, dimension: 384, sparseKeys: { bm25: 12 } },
    { name: 'cro_audit_pages', metadata: null, space: 'cosine', count: 402, dimension: 384, listKeys: { tags: 40 } },
  ],
};

const view = (phase: ExportPhase) => (
  <ExportView
    phase={phase}
    cloudKey="ck-2f1e9a7c5b3d4e6f8a0b"
    cwd="/home/ana/project"
    suggestedOut="chroma-backup-2026-03-01.jsonl.gz"
    progress={{ phase: 'Reading cro_audit_issues', bars: [{ label: 'cro_audit_issues', done: 600, total: 1177, rate: 120 }] }}
    on={on}
  />
);

describe.each(WIDTHS)('step 1 at %i columns', (columns) => {
  it('asks where the data is, the key masked', async () => {
    const frame = await renderView(view({ name: 'source' }), columns);
    expect(frame).not.toContain('ck-2f1e9a7c5b3d4e6f8a0b');
    expect(frame).toMatchSnapshot();
  });

  it('shows the export running', async () => {
    expect(await renderView(view({ name: 'running', source, chosen: ['cro_audit_issues'], out: 'chroma-backup-2026-03-01.jsonl.gz' }), columns)).toMatchSnapshot();
  });

  it('summarises a backup, with what the import will ask', async () => {
    const breakdown = { cro_audit_issues: [{ value: 'PayNearMe', count: 273 }, { value: 'Acme', count: 120 }], cro_audit_pages: null };
    expect(await renderView(view({ name: 'summary', summary, size: 2_400_000, breakdown, fromFile: true }), columns)).toMatchSnapshot();
  });

  it('asks which databases, each with what it holds, all ticked', async () => {
    const databases = [
      { name: 'customer_b', collections: 2, records: 1_177 },
      { name: 'default_database', collections: 3, records: 15_000 },
      { name: 'staging_with_a_rather_long_database_name', collections: 1, records: 40 },
    ];
    const frame = await renderView(view({ name: 'databases', source, databases }), columns);
    expect(frame).toContain('default_database · 3 collections · 15,000 records');
    expect(frame.match(/◉/g)?.length).toBe(3);
    expect(frame).toMatchSnapshot();
  });

  it('says the chosen databases go into the one file', async () => {
    const frame = await renderView(view({ name: 'out', source, chosen: [], databases: ['staging', 'customer_b'] }), columns);
    expect(frame.replace(/\s+/g, ' ')).toContain('One file holds all 2 databases');
    expect(frame).toMatchSnapshot();
  });

  it('summarises every database exported', async () => {
    const collections = [
      ...summary.collections.map((header) => ({ ...header, database: 'customer_b' })),
      { ...summary.collections[0]!, database: 'staging' },
    ];
    const frame = await renderView(view({ name: 'summaries', summary: { ...summary, path: '/home/ana/b.jsonl.gz', collections }, size: 3_600_000 }), columns);
    expect(frame.replace(/\s+/g, ' ')).toContain('2 databases exported');
    expect(frame).toMatchSnapshot();
  });

  it('offers a way out of a failure', async () => {
    expect(await renderView(view({ name: 'failed', error: new Error('Chroma Cloud refused the API key (401).'), retry: { name: 'source' } }), columns)).toMatchSnapshot();
  });
});
