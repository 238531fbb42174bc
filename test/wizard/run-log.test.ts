import { describe, expect, it } from 'vitest';
import { emptyState } from '../../src/core/state/store.js';
import { exitSummary } from '../../src/wizard/run-log.js';

describe('the summary left in the scrollback on exit', () => {
  it('has one line per step with its counts, and the log path on a line of its own', () => {
    const saved = emptyState(new Date(0));
    saved.steps.export = { status: 'done', detail: '20 records in guide.json' };
    saved.steps.import = { status: 'done', detail: '20 records' };
    saved.steps.ingest = { status: 'skipped', detail: 'skipped' };
    const lines = exitSummary(saved, '.chroma-migrate/wizard-2026-12-04T17-07-25-936Z.log').trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('✓ 1. Export from Chroma Cloud (20 records in guide.json)');
    expect(lines[4]).toBe('✓ 5. Import the backup (20 records)');
    expect(lines[6]).toBe('– 7. Complete ingestion (skipped)');
    expect(lines[8]).toBe('  .chroma-migrate/wizard-2026-12-04T17-07-25-936Z.log');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60);
  });

  it('wraps a long step line at spaces to the terminal, with a hanging indent', () => {
    const saved = emptyState(new Date(0));
    saved.steps.import = { status: 'active', detail: 'in progress: "tickets" into http://localhost:18504, notes 3000, tickets 3000, big 20000' };
    const lines = exitSummary(saved, 'x.log', 60).trimEnd().split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60);
    const at = lines.findIndex((line) => line.includes('5. Import the backup'));
    expect(lines[at + 1]?.startsWith('     ')).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('notes 3000, tickets 3000, big 20000)');
  });

  it('warns when the .env already points at the new server and the import has not finished', () => {
    const saved = emptyState(new Date(0));
    saved.steps.env = { status: 'done', detail: '.env → http://localhost:8000' };
    saved.steps.import = { status: 'active', detail: 'import 1,000 of 26,000' };
    const text = exitSummary(saved, 'x.log', 80);
    expect(text.replace(/\s+/g, ' ')).toContain('! Your .env already points at the self-hosted server, which holds only part of your data until step 5 finishes');
    saved.steps.import = { status: 'done', detail: '26,000 records' };
    expect(exitSummary(saved, 'x.log', 80)).not.toContain('Your .env already points');
  });
});

