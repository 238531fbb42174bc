import { describe, expect, it } from 'vitest';
import { initialWizardState, nextOpenStep, persistableSteps, transition, wizardStateFrom, type WizardEvent, type WizardState } from '../../src/wizard/machine.js';
import { emptyState } from '../../src/core/state/store.js';
import { STEPS, type StepId } from '../../src/core/state/steps.js';

const run = (events: WizardEvent[], from: WizardState = initialWizardState()) => events.reduce(transition, from);
const ids = STEPS.map((step) => step.id);

describe('the wizard state machine', () => {
  it('begins at Export and walks the seven steps to Done', () => {
    let state = run([{ type: 'begin' }]);
    expect(state.screen).toBe('export');
    expect(state.steps.export).toBe('active');
    for (const id of ids) {
      expect(state.screen).toBe(id);
      state = transition(state, { type: 'step-done', step: id });
    }
    expect(state.screen).toBe('done');
    expect(Object.values(state.steps).every((status) => status === 'done')).toBe(true);
  });

  it('skipping a step moves on and the checklist shows it skipped', () => {
    const state = run([{ type: 'begin' }, { type: 'step-done', step: 'export' }, { type: 'step-skipped', step: 'deploy', detail: 'already deployed' }]);
    expect(state.screen).toBe('connect');
    expect(state.steps.deploy).toBe('skipped');
    expect(state.details.deploy).toBe('already deployed');
  });

  it('a failure stays on the step; back returns to the previous one', () => {
    let state = run([{ type: 'begin' }, { type: 'step-done', step: 'export' }, { type: 'step-done', step: 'deploy' }, { type: 'step-failed', step: 'connect', detail: '401' }]);
    expect(state.screen).toBe('connect');
    expect(state.steps.connect).toBe('failed');
    state = transition(state, { type: 'back' });
    expect(state.screen).toBe('deploy');
    // Shown as finished, not started again: Esc never redoes work by itself.
    expect(state.steps.deploy).toBe('done');
    expect(state.steps.connect).toBe('failed');
    expect(transition(state, { type: 'resume' }).screen).toBe('connect');
    expect(transition(state, { type: 'goto', step: 'deploy' }).steps.deploy).toBe('active');
    expect(transition(run([{ type: 'begin' }]), { type: 'back' }).screen).toBe('export');
  });

  it('marks a step done again as such until it settles, so its work does not take the earlier run as this one', () => {
    const finished = run([{ type: 'begin' }, { type: 'step-done', step: 'export' }]);
    const again = transition(finished, { type: 'redo', step: 'export' });
    expect(again).toMatchObject({ screen: 'export', again: 'export' });
    expect(again.steps.export).toBe('active');
    expect(transition(again, { type: 'step-done', step: 'export' }).again).toBeUndefined();
  });

  it.each(ids.map((id, index) => [id, index] as [StepId, number]))('resumes at %s when the steps before it are done', (id, index) => {
    const saved = emptyState();
    for (const done of ids.slice(0, index)) saved.steps[done] = { status: 'done' };
    saved.steps[id] = { status: 'active', detail: 'import 600/1177' };
    const loaded = wizardStateFrom(saved);
    expect(loaded.screen).toBe('welcome');
    expect(loaded.steps[id]).toBe('pending');
    const resumed = transition(loaded, { type: 'resume' });
    expect(resumed.screen).toBe(id);
    expect(resumed.details[id]).toBe('import 600/1177');
  });

  it('resuming a finished migration lands on Done; starting over forgets the steps', () => {
    const saved = emptyState();
    for (const id of ids) saved.steps[id] = { status: id === 'ingest' ? 'skipped' : 'done' };
    expect(transition(wizardStateFrom(saved), { type: 'resume' }).screen).toBe('done');
    const fresh = transition(wizardStateFrom(saved), { type: 'start-over' });
    expect(fresh.screen).toBe('export');
    expect(nextOpenStep(fresh.steps)).toBe('export');
    expect(fresh.steps.verify).toBe('pending');
  });

  it('progress only updates the detail', () => {
    const state = run([{ type: 'begin' }, { type: 'progress', step: 'export', detail: '300/1177' }]);
    expect(state.screen).toBe('export');
    expect(state.details.export).toBe('300/1177');
  });

  it('each step keeps its own time in the state file: only a step that changed gets a new one', () => {
    const first = run([{ type: 'begin' }, { type: 'step-done', step: 'export', detail: '1,177 records' }]);
    const t1 = new Date('2026-03-01T12:00:00Z');
    const t2 = new Date('2026-03-01T12:07:00Z');
    const saved = persistableSteps(first, {}, t1);
    const later = run([{ type: 'step-done', step: 'deploy', detail: 'railway' }], first);
    const next = persistableSteps(later, saved, t2);
    expect(next.export?.at).toBe(t1.toISOString());
    expect(next.deploy?.at).toBe(t2.toISOString());
    expect(next.connect).toMatchObject({ status: 'active', at: t2.toISOString() });
  });
});

describe('an interrupted import on the welcome screen', () => {
  const checkpoint = (collection: string, committed: number, total: number) => ({ backup: '/b.json', fingerprint: 'f', target: 'http://h:1/default_tenant/db1', collection, sourceCollection: collection, batchSize: 100, committed, total, done: false, updatedAt: '' });
  const plan = { backup: '/b.json', fingerprint: 'f', server: 'http://h:1/default_tenant', collections: 5, records: 2_000, at: '' };

  it('counts the whole import as noted when it started, the collections not started yet included', () => {
    const saved = { ...emptyState(), imports: [checkpoint('a', 100, 400), checkpoint('b', 100, 400)], importPlans: [plan] };
    expect(wizardStateFrom(saved).details.import).toBe('import 200 of 2,000');
  });

  it('an older state with no plan still counts what its checkpoints hold', () => {
    const saved = { ...emptyState(), imports: [checkpoint('a', 100, 400), checkpoint('b', 100, 400)] };
    expect(wizardStateFrom(saved).details.import).toBe('import 200 of 800');
    // Another backup's plan, or another server's, is not this import's.
    expect(wizardStateFrom({ ...saved, importPlans: [{ ...plan, server: 'http://other:1/default_tenant' }] }).details.import).toBe('import 200 of 800');
  });
});
